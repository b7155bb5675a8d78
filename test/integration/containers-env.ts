/**
 * Shared set-up for the containers-*.test.ts suites: a loopback docker-registry holding the busybox
 * fixture, a berthd on a temporary socket and data root, and the image pulled into it.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker, type DockerOptions, type DockerResult } from '../harness/docker-cli';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

export const execFileP = promisify(execFile);

export interface ContainersEnv {
  registry: RegistryHandle;
  berthd: BerthdHandle;
  /** `127.0.0.1:<port>/busybox:latest`, already pulled. */
  image: string;
  d: (args: string[], opts?: DockerOptions) => Promise<DockerResult>;
  cleanup: () => Promise<void>;
}

export async function startContainersEnv(): Promise<ContainersEnv> {
  const registry = await startRegistry();
  let berthd: BerthdHandle | undefined;
  try {
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    berthd = await startBerthd();
    const image = `${registry.host}/busybox:latest`;
    const b = berthd;
    const env: ContainersEnv = {
      registry,
      berthd: b,
      image,
      d: (args, opts) => docker(env.berthd.dockerHost, args, opts),
      cleanup: async () => {
        // Remove every container first so no process, mount or cgroup outlives the suite.
        const ids = await docker(env.berthd.dockerHost, ['ps', '-aq']).catch(() => undefined);
        const list = ids?.stdout.split('\n').filter((l) => l !== '') ?? [];
        if (list.length > 0) await docker(env.berthd.dockerHost, ['rm', '-f', ...list]).catch(() => undefined);
        await env.berthd.cleanup();
        await registry.stop();
      },
    };
    const pulled = await env.d(['pull', image], { timeoutMs: 120_000 });
    if (pulled.code !== 0) throw new Error(`docker pull failed: ${pulled.stderr}\n${b.logs().slice(-4000)}`);
    return env;
  } catch (err) {
    await berthd?.cleanup();
    await registry.stop();
    throw err;
  }
}

/** Host PIDs whose /proc/<pid>/cgroup or cmdline mentions the container ID. */
export async function hostProcessesOf(id: string): Promise<number[]> {
  const { stdout } = await execFileP('ps', ['-e', '-o', 'pid=']);
  const out: number[] = [];
  for (const pid of stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0)) {
    const cg = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
    if (cg.includes(id)) out.push(pid);
  }
  return out;
}

export async function mountsMentioning(text: string): Promise<string[]> {
  const m = await readFile('/proc/self/mountinfo', 'utf8');
  return m.split('\n').filter((l) => l.includes(text));
}

/** Runs a command under `script` so the docker CLI gets a real terminal. */
export async function withTty(dockerHost: string, command: string, timeoutMs = 30_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config', TERM: 'xterm' }, timeout: timeoutMs }, (err, stdout) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      if (err && code === -1) reject(err);
      else resolve({ code, out: stdout });
    });
    child.stdin?.end();
  });
}
