/**
 * seccomp and no_new_privs (issue 12): a default container runs under Docker's default profile
 * (`Seccomp: 2`; user namespaces, add_key/keyctl, personality, bpf, perf_event_open refused),
 * `--security-opt seccomp=unconfined` and `--privileged` lift it, a custom profile applies,
 * `no-new-privileges` sets NoNewPrivs, exec runs under its container's filter, daemon.json's
 * `seccomp-profile`/`no-new-privileges` are the defaults, and options the host cannot honour are
 * refused. The same probes run against a private dockerd: its default profile is the reference.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, REPO_ROOT, engineRequest, startBerthd } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { findDockerdBinary, startDockerd, type PrivateDockerd } from '../harness/dockerd';
import { startContainersEnv, type ContainersEnv } from './containers-env';
import defaultProfile from '../../helper/src/runtime/spec/seccomp/default.json';

/** One container runs every probe and prints `name=result` lines. */
const PROBE_SCRIPT = [
  'echo "seccomp=$(grep Seccomp: /proc/self/status | tr -d "\\t ")"',
  'echo "nnp=$(grep NoNewPrivs: /proc/self/status | tr -d "\\t ")"',
  'unshare -U -r true 2>/dev/null; echo "unshare-U-r=$?"',
  'for p in add_key keyctl unshare-user clone-newuser personality bpf perf_event_open; do echo "$p=$(/probe $p)"; done',
  'echo "mkdir=$(/probe mkdir /probe-dir)"',
].join('; ');

const parse = (out: string): Record<string, string> => Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

let work = '';
let probe = '';
let denyMkdir = '';

async function prepare(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'berth-seccomp-'));
  await chmod(work, 0o755);
  probe = join(work, 'sysprobe');
  execFileSync('cc', ['-O2', '-static', '-o', probe, join(REPO_ROOT, 'test/fixtures/probes/sysprobe.c')]);
  // Docker's default profile without mkdir/mkdirat: the call falls to the default action (EPERM).
  const custom = structuredClone(defaultProfile) as { syscalls: { names: string[] }[] };
  const allow = custom.syscalls[0];
  if (!allow) throw new Error('default profile has no syscalls');
  allow.names = allow.names.filter((n) => n !== 'mkdir' && n !== 'mkdirat');
  denyMkdir = join(work, 'deny-mkdir.json');
  await writeFile(denyMkdir, JSON.stringify(custom));
}

const MODES: Array<{ name: string; args: () => string[] }> = [
  { name: 'default', args: () => [] },
  { name: 'seccomp=unconfined', args: () => ['--security-opt', 'seccomp=unconfined'] },
  { name: 'no-new-privileges', args: () => ['--security-opt', 'no-new-privileges'] },
  { name: 'cap-drop ALL', args: () => ['--cap-drop', 'ALL'] },
  { name: 'cap-add SYS_ADMIN', args: () => ['--cap-add', 'SYS_ADMIN'] },
  { name: 'custom profile denying mkdir', args: () => ['--security-opt', `seccomp=${denyMkdir}`] },
];

async function probeOn(dockerHost: string, image: string, modeArgs: string[]): Promise<Record<string, string>> {
  const r = await docker(dockerHost, ['run', '--rm', '--network', 'none', '-v', `${probe}:/probe:ro`, ...modeArgs, image, 'sh', '-c', PROBE_SCRIPT]);
  expect(r.code, r.stderr).toBe(0);
  return parse(r.stdout);
}

describe.skipIf(!IS_ROOT)('security: seccomp and no-new-privileges', () => {
  let env: ContainersEnv;
  beforeAll(async () => {
    await prepare();
    env = await startContainersEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('confines a default container with Docker’s default profile', async () => {
    const p = await probeOn(env.berthd.dockerHost, env.image, []);
    expect(p.seccomp).toBe('Seccomp:2');
    expect(p['unshare-U-r']).not.toBe('0');
    for (const call of ['add_key', 'keyctl', 'unshare-user', 'clone-newuser', 'personality', 'bpf', 'perf_event_open']) expect(p[call], call).toBe('EPERM');
    expect(p.mkdir).toBe('ok');
    expect(p.nnp).toBe('NoNewPrivs:0');
  });

  it('lifts the filter with seccomp=unconfined and --privileged', async () => {
    for (const args of [['--security-opt', 'seccomp=unconfined'], ['--privileged']]) {
      const p = await probeOn(env.berthd.dockerHost, env.image, args);
      expect(p.seccomp, args.join(' ')).toBe('Seccomp:0');
      expect(p['unshare-U-r'], args.join(' ')).toBe('0');
      expect(p.add_key, args.join(' ')).toBe('ok');
      expect(p.keyctl, args.join(' ')).toBe('ok');
    }
  });

  it('applies a custom profile (the CLI sends the file content): mkdir fails with EPERM', async () => {
    const p = await probeOn(env.berthd.dockerHost, env.image, ['--security-opt', `seccomp=${denyMkdir}`]);
    expect(p.seccomp).toBe('Seccomp:2');
    expect(p.mkdir).toBe('EPERM');
    const r = await env.d(['run', '--rm', '--security-opt', `seccomp=${denyMkdir}`, env.image, 'mkdir', '/x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Operation not permitted/);
  });

  it('sets NoNewPrivs with --security-opt no-new-privileges, and exec runs under the container’s filter', async () => {
    const p = await probeOn(env.berthd.dockerHost, env.image, ['--security-opt', 'no-new-privileges']);
    expect(p.nnp).toBe('NoNewPrivs:1');
    expect(p.seccomp).toBe('Seccomp:2');
    const run = await env.d(['run', '-d', '--name', 'nnp-exec', '--security-opt', 'no-new-privileges', env.image, 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);
    const ex = await env.d(['exec', 'nnp-exec', 'grep', '-E', 'Seccomp:|NoNewPrivs:', '/proc/self/status']);
    expect(ex.stdout.replace(/\t/g, '')).toMatch(/NoNewPrivs:1\nSeccomp:2/);
    const inspect = await env.d(['inspect', '--format', '{{json .HostConfig.SecurityOpt}}', 'nnp-exec']);
    expect(JSON.parse(inspect.stdout)).toEqual(['no-new-privileges']);
    await env.d(['rm', '-f', 'nnp-exec']);
  });

  it('lists seccomp in docker info SecurityOptions', async () => {
    const r = await env.d(['info', '--format', '{{json .SecurityOptions}}']);
    expect(JSON.parse(r.stdout)).toContain('name=seccomp,profile=builtin');
  });

  it('refuses options the host cannot honour and malformed ones with 400, creating nothing', async () => {
    const before = (await env.d(['ps', '-aq'])).stdout;
    const badProfile = join(work, 'bad.json');
    await writeFile(badProfile, JSON.stringify({ defaultAction: 'SCMP_ACT_NOPE' }));
    const apparmor = execFileSync('sh', ['-c', 'cat /sys/module/apparmor/parameters/enabled 2>/dev/null || true'], { encoding: 'utf8' }).startsWith('Y');
    const cases: Array<[string[], RegExp]> = [
      [['--security-opt', 'apparmor=docker-default'], apparmor ? /no AppArmor profile of that name is loaded/ : /AppArmor is not enabled on this host/],
      [['--security-opt', 'label=type:container_t'], /SELinux is not enabled on this host|does not apply SELinux labels/],
      [['--security-opt', 'bogus=1'], /invalid --security-opt 2: "bogus=1"/],
      [['--security-opt', 'no-new-privileges=maybe'], /invalid --security-opt 2/],
      [['--security-opt', `seccomp=${badProfile}`], /decoding seccomp profile failed/],
    ];
    for (const [args, message] of cases) {
      const r = await env.d(['create', ...args, env.image, 'true']);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    // The CLI checks --userns itself; the API refuses a mode berthd cannot give.
    const userns = await engineRequest(env.berthd.socket, 'POST', '/v1.47/containers/create', JSON.stringify({ Image: env.image, HostConfig: { UsernsMode: 'private' } }));
    expect([userns.status, userns.body]).toEqual([400, expect.stringMatching(/UsernsMode/)]);
    // What the host trivially honours is accepted.
    for (const args of [['--security-opt', 'apparmor=unconfined'], ['--security-opt', 'label=disable'], ['--userns', 'host']]) {
      const r = await env.d(['run', '--rm', ...args, env.image, 'true']);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect((await env.d(['ps', '-aq'])).stdout).toBe(before);
  });
});

describe.skipIf(!IS_ROOT)('security: daemon.json seccomp-profile and no-new-privileges', () => {
  beforeAll(async () => {
    await prepare();
  });

  it('uses the daemon profile and no_new_privs for every container, and reports them in info', async () => {
    const env = await startContainersEnv();
    try {
      await env.berthd.stop();
      await writeFile(env.berthd.configFile, JSON.stringify({ 'seccomp-profile': denyMkdir, 'no-new-privileges': true }));
      env.berthd = await env.berthd.restart();
      const p = await probeOn(env.berthd.dockerHost, env.image, []);
      expect(p.mkdir).toBe('EPERM');
      expect(p.nnp).toBe('NoNewPrivs:1');
      // A container's own option wins over the daemon's.
      const q = await probeOn(env.berthd.dockerHost, env.image, ['--security-opt', 'seccomp=unconfined', '--security-opt', 'no-new-privileges=false']);
      expect([q.seccomp, q.mkdir, q.nnp]).toEqual(['Seccomp:0', 'ok', 'NoNewPrivs:0']);
      const info = JSON.parse((await env.d(['info', '--format', '{{json .SecurityOptions}}'])).stdout) as string[];
      expect(info).toEqual(expect.arrayContaining([`name=seccomp,profile=${denyMkdir}`, 'name=no-new-privileges']));
    } finally {
      await env.cleanup();
    }
  });

  it('refuses to start with an unreadable seccomp-profile, and with a userns-remap user that does not exist', async () => {
    for (const config of [{ 'seccomp-profile': join(work, 'missing.json') }, { 'userns-remap': 'no-such-user-berth' }]) {
      await expect(startBerthd({ config })).rejects.toThrow(/opening seccomp profile|uid lookup for "no-such-user-berth"/);
    }
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });
});

describe.skipIf(!IS_ROOT || !findDockerdBinary())('security: the same probes against dockerd’s defaults', () => {
  let env: ContainersEnv;
  let dockerd: PrivateDockerd;
  beforeAll(async () => {
    await prepare();
    env = await startContainersEnv();
    dockerd = await startDockerd();
    const pulled = await docker(dockerd.dockerHost, ['pull', env.image], { timeoutMs: 120_000 });
    expect(pulled.code, pulled.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await dockerd?.stop();
    await env?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(MODES)('$name: berthd answers every probe as dockerd does', async ({ args }) => {
    const [ours, theirs] = [await probeOn(env.berthd.dockerHost, env.image, args()), await probeOn(dockerd.dockerHost, env.image, args())];
    expect(ours).toEqual(theirs);
  });
});
