/**
 * `docker commit`, `docker history` and `docker diff` through the stock CLI, with a private
 * dockerd (test/harness/dockerd.ts) running the same steps on the same image as the reference.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { startDockerd, type PrivateDockerd } from '../harness/dockerd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

/** Changes a container makes: an add, a modification, a deletion, a nested add, a removed-and-recreated dir. */
const STEPS = [
  'echo hello > /added.txt',
  'echo extra >> /etc/passwd',
  'rm /etc/group',
  'mkdir -p /srv/app/conf && echo x > /srv/app/conf/a.ini',
  'rm -rf /home && mkdir /home && touch /home/new',
  'ln -s /etc/passwd /lnk',
].join(' && ');

describe.skipIf(!IS_ROOT)('container data: commit, history, diff', () => {
  let env: ContainersEnv;
  let dockerd: PrivateDockerd;
  const dd = (args: string[]) => docker(dockerd.dockerHost, args, { timeoutMs: 120_000 });
  beforeAll(async () => {
    env = await startContainersEnv();
    dockerd = await startDockerd();
    const pulled = await dd(['pull', env.image]);
    if (pulled.code !== 0) throw new Error(`dockerd pull: ${pulled.stderr}`);
  });
  afterAll(async () => {
    await dockerd?.stop();
    await env?.cleanup();
  });

  it('commit then run: the new image sees the change and not the deleted file; history has the new row; --change applied', async () => {
    const made = await env.d(['run', '--name', 'c1', env.image, 'sh', '-c', 'echo committed > /data.txt && rm /etc/group']);
    expect(made.code).toBe(0);
    const commit = await env.d(['commit', '-m', 'my change', '-a', 'Ann <ann@example.com>', '-c', 'ENV GREETING=hi', '-c', 'CMD ["cat", "/data.txt"]', 'c1', 'committed:v1']);
    expect(commit.code, commit.stderr).toBe(0);
    expect(commit.stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);

    const run = await env.d(['run', '--rm', 'committed:v1']);
    expect(run.stdout).toBe('committed\n');
    const gone = await env.d(['run', '--rm', 'committed:v1', 'sh', '-c', 'test -e /etc/group && echo present || echo absent; echo $GREETING']);
    expect(gone.stdout).toBe('absent\nhi\n');

    const hist = await env.d(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'committed:v1']);
    const rows = hist.stdout.trim().split('\n');
    const base = (await env.d(['history', '-q', env.image])).stdout.trim().split('\n');
    expect(rows).toHaveLength(base.length + 1);
    expect(rows[0]).toBe('sh -c echo committed > /data.txt && rm /etc/group|my change');
    const inspect = JSON.parse((await env.d(['image', 'inspect', 'committed:v1'])).stdout) as { Author: string; RootFS: { Layers: string[] }; Config: { Cmd: string[] } }[];
    expect(inspect[0]?.Author).toBe('Ann <ann@example.com>');
    expect(inspect[0]?.Config.Cmd).toEqual(['cat', '/data.txt']);
    const baseLayers = JSON.parse((await env.d(['image', 'inspect', env.image])).stdout) as { RootFS: { Layers: string[] } }[];
    expect(inspect[0]?.RootFS.Layers).toHaveLength((baseLayers[0]?.RootFS.Layers.length ?? 0) + 1);
  });

  it('export: the container filesystem as one tar, with the change and without the deleted file', async () => {
    const out = execFileSync('sh', ['-c', 'docker export c1 | tar -tf -'], { env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost }, maxBuffer: 64 << 20 }).toString();
    const names = out.split('\n');
    expect(names).toContain('data.txt');
    expect(names).toContain('bin/busybox');
    expect(names).toContain('etc/passwd');
    expect(names).not.toContain('etc/group');
    expect(names.some((n) => n.startsWith('proc/') && n !== 'proc/')).toBe(false);
  });

  it('commit of a running container (paused for the read, as dockerd); a bad tag is refused and leaves no image', async () => {
    await env.d(['run', '-d', '--name', 'c2', env.image, 'sh', '-c', 'echo live > /live.txt; sleep 300']);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await env.d(['exec', 'c2', 'cat', '/live.txt'])).stdout !== 'live\n') await new Promise((r) => setTimeout(r, 100));
    const before = (await env.d(['images', '-q', '-a'])).stdout;
    const bad = await env.d(['commit', 'c2', 'Bad:Name']);
    expect(bad.code).not.toBe(0);
    expect((await env.d(['images', '-q', '-a'])).stdout).toBe(before);
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const ok = await env.d(['commit', 'c2', 'live:1']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await env.d(['run', '--rm', 'live:1', 'cat', '/live.txt'])).stdout).toBe('live\n');
    // dockerd freezes the container for the read: pause, commit, unpause, and it runs on.
    const actions = async (from: string) =>
      (await env.d(['events', '--since', from, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=c2', '--format', '{{.Action}}'], { timeoutMs: 20_000 })).stdout.trim().split('\n').filter((a) => ['pause', 'commit', 'unpause'].includes(a));
    expect(await actions(since)).toEqual(['pause', 'commit', 'unpause']);
    expect((await env.d(['inspect', '-f', '{{.State.Status}}', 'c2'])).stdout.trim()).toBe('running');
    // --pause=false leaves it running throughout; a container the user paused stays paused.
    await new Promise((r) => setTimeout(r, 1100));
    const since2 = String(Math.floor(Date.now() / 1000));
    expect((await env.d(['commit', '--pause=false', 'c2', 'live:2'])).code).toBe(0);
    expect(await actions(since2)).toEqual(['commit']);
    expect((await env.d(['pause', 'c2'])).code).toBe(0);
    expect((await env.d(['commit', 'c2', 'live:3'])).code).toBe(0);
    expect((await env.d(['inspect', '-f', '{{.State.Status}}', 'c2'])).stdout.trim()).toBe('paused');
    await env.d(['rm', '-f', 'c2']);
  });

  it('diff lists A/C/D exactly as dockerd for the same steps', async () => {
    const b = await env.d(['run', '--name', 'd1', env.image, 'sh', '-c', STEPS]);
    expect(b.code, b.stderr).toBe(0);
    const r = await dd(['run', '--name', 'd1', env.image, 'sh', '-c', STEPS]);
    expect(r.code, r.stderr).toBe(0);
    // dockerd's row order follows a Go map iteration and varies from run to run: compare as sets.
    const rows = (out: string): string[] => out.split('\n').filter((l) => l !== '').sort();
    const ours = rows((await env.d(['diff', 'd1'])).stdout);
    const theirs = rows((await dd(['diff', 'd1'])).stdout);
    expect(ours).toContain('A /added.txt');
    expect(ours).toContain('D /etc/group');
    expect(ours).toEqual(theirs);
    await dd(['rm', '-f', 'd1']);
  });
});
