/**
 * Debian's docker-compose (1.29) drives berthd unchanged (#15): the commands and stack features
 * compose.test.ts does not cover, inside the netns sandbox, each asserted as a user sees it (ps,
 * docker inspect, what a process inside the container reads) and as dockerd behaves:
 * restart, kill (-s), pause/unpause, --scale/scale, rm -f -s, pull, config, logs -f, exec -u -w;
 * an internal network (no way out) next to a public one, aliases, external/anonymous/bind volumes,
 * env_file, command/entrypoint in string and list forms, restart: on-failure, mem_limit/cpus and
 * deploy.resources.limits (--compatibility), init, tty/stdin_open, labels, user, working_dir,
 * tmpfs, extra_hosts, stop_signal and stop_grace_period.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { composeOk, hasDockerCompose, runCompose, startComposeSandbox, type ComposeResult, type ComposeSandbox } from '../harness/compose';
import { OUTSIDE_ADDR, type NetnsSandbox } from '../harness/netns-sandbox';

const SLEEP = 'exec sleep 3600';

// No `version:` key: 1.29 reads the file with the compose spec, which takes every key below.
const composeFile = (image: string, bindDir: string) => `services:
  worker:
    image: ${image}
    command: sh -c "trap 'exit 0' TERM; while true; do echo tick; sleep 0.3; done"
  lim:
    image: ${image}
    entrypoint: ["sh", "-c"]
    command: ["${SLEEP}"]
    mem_limit: 64m
    cpus: 0.5
    init: true
    tty: true
    stdin_open: true
    user: "1000:1000"
    working_dir: /work/dir
    tmpfs: [/scratch]
    ports: ["8081:80"]
    expose: ["9000"]
    extra_hosts: ["db.example:10.1.2.3"]
    env_file: ./app.env
    labels:
      team: berth
      tier: backend
  dep:
    image: ${image}
    entrypoint: sh -c "${SLEEP}"
    volumes: [/cache]
    deploy:
      resources:
        limits:
          memory: 32M
          cpus: "0.25"
  inner:
    image: ${image}
    command: sleep 3600
    stop_grace_period: 1s
    networks: [internal]
  both:
    image: ${image}
    command: sleep 3600
    networks:
      internal:
        aliases: [gateway-svc]
      public: {}
  data:
    image: ${image}
    command: sleep 3600
    stop_grace_period: 1s
    volumes:
      - extvol:/ext
      - /anon
      - ${bindDir}:/bind
  flaky:
    image: ${image}
    command: ["sh", "-c", "sleep 0.5; exit 3"]
    restart: on-failure
  graceful:
    image: ${image}
    stop_signal: SIGUSR1
    stop_grace_period: 30s
    command: ["sh", "-c", "trap 'sleep 2; exit 7' USR1; while true; do sleep 0.2; done"]
  stubborn:
    image: ${image}
    stop_grace_period: 2s
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"]
  fresh:
    image: ${image.replace(/:latest$/, ':pulled')}
    command: sleep 3600
    profiles: [later]
volumes:
  extvol:
    external: true
networks:
  internal:
    internal: true
  public: {}
`;

// A stack run in the foreground: one service talks and exits 5, the other waits.
const fgFile = (image: string) => `services:
  talker:
    image: ${image}
    command: ["sh", "-c", "echo hello from talker; sleep 1; echo bye; exit 5"]
  listener:
    image: ${image}
    command: ["sh", "-c", "echo listening; exec sleep 3600"]
    stop_grace_period: 1s
`;

describe.skipIf(!IS_ROOT || !hasDockerCompose)('docker-compose commands and stack features against berthd (netns sandbox)', () => {
  let env: ComposeSandbox | undefined;
  let sb: NetnsSandbox;
  let image: string;
  let dir: string;
  let bindDir: string;

  const compose = (args: string[], timeoutMs = 120_000, project = 'cmds'): Promise<ComposeResult> =>
    runCompose({ cwd: dir, dockerHost: sb.berthd.dockerHost, project, timeoutMs }, args);
  const ok = (args: string[]): Promise<string> => composeOk({ cwd: dir, dockerHost: sb.berthd.dockerHost, project: 'cmds', timeoutMs: 120_000 }, args);
  const inspect = async (name: string, format: string): Promise<string> => {
    const r = await sb.d(['inspect', '-f', format, name]);
    if (r.code !== 0) throw new Error(`inspect ${name}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const execIn = async (service: string, cmd: string[], extra: string[] = []): Promise<string> => ok(['exec', '-T', ...extra, service, ...cmd]);
  const names = async (): Promise<string[]> =>
    (await sb.d(['ps', '-a', '--filter', 'label=com.docker.compose.project=cmds', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();
  const waitFor = async (what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await fn()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    env = await startComposeSandbox({ dirPrefix: 'berth-compose-cmds-', tags: ['latest', 'pulled'] });
    ({ sb, image, dir } = env);
    bindDir = join(dir, 'bind');
    await mkdir(bindDir);
    await writeFile(join(bindDir, 'from-host.txt'), 'host data\n');
    await writeFile(join(dir, 'app.env'), '# comment\nFROM_FILE=yes\nSPACED=a b c\n');
    await writeFile(join(dir, 'docker-compose.yml'), composeFile(image, bindDir));
    await writeFile(join(dir, 'fg.yml'), fgFile(image));
    const v = await sb.d(['volume', 'create', 'extvol']);
    if (v.code !== 0) throw new Error(v.stderr);
  }, 180_000);

  afterAll(async () => {
    await env?.cleanup();
  }, 60_000);

  it('config prints the resolved file without the daemon', async () => {
    // A DOCKER_HOST nobody listens on: config must not need it.
    const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = spawn('docker-compose', ['-p', 'cmds', 'config'], { cwd: dir, env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' } });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FROM_FILE: ["']yes["']/);
    expect(r.stdout).toMatch(/internal: true/);
  });

  it('up -d --compatibility brings every service up; ps shows their states', async () => {
    await ok(['--compatibility', 'up', '-d']);
    const ps = await ok(['ps']);
    for (const s of ['worker', 'lim', 'dep', 'inner', 'both', 'data', 'graceful', 'stubborn']) expect(ps).toMatch(new RegExp(`cmds_${s}_1\\s.*\\sUp`));
    expect(ps).not.toContain('cmds_fresh_1');
    // The ports column: published and exposed ports, as compose formats them from inspect.
    expect(ps).toMatch(/cmds_lim_1\s.*0\.0\.0\.0:8081->80\/tcp.*9000\/tcp/);
  });

  it('command/entrypoint in string and list forms, env_file, labels, user, working_dir, tmpfs, extra_hosts', async () => {
    expect(await inspect('cmds_lim_1', '{{json .Config.Entrypoint}} {{json .Config.Cmd}}')).toBe(`["sh","-c"] ["${SLEEP}"]`);
    expect(await inspect('cmds_dep_1', '{{json .Config.Entrypoint}}')).toBe(`["sh","-c","${SLEEP}"]`);
    expect(await inspect('cmds_inner_1', '{{json .Config.Cmd}}')).toBe('["sleep","3600"]');
    const env = await execIn('lim', ['env']);
    expect(env).toContain('FROM_FILE=yes\n');
    expect(env).toContain('SPACED=a b c\n');
    const labels = JSON.parse(await inspect('cmds_lim_1', '{{json .Config.Labels}}')) as Record<string, string>;
    expect(labels).toMatchObject({ team: 'berth', tier: 'backend', 'com.docker.compose.service': 'lim' });
    expect((await sb.d(['ps', '-q', '--filter', 'label=team=berth'])).stdout.trim().split('\n')).toHaveLength(1);
    expect(await execIn('lim', ['sh', '-c', 'id -u; id -g; pwd'])).toBe('1000\n1000\n/work/dir\n');
    expect(await execIn('lim', ['grep', ' /scratch ', '/proc/mounts'])).toMatch(/^tmpfs \/scratch tmpfs rw,/);
    expect(await execIn('lim', ['cat', '/etc/hosts'])).toMatch(/^10\.1\.2\.3\s+db\.example$/m);
  });

  it('exec with a user and a working directory', async () => {
    expect(await execIn('worker', ['sh', '-c', 'id -u; pwd'], ['-u', '1234', '-w', '/tmp'])).toBe('1234\n/tmp\n');
    expect(await execIn('lim', ['sh', '-c', 'id -u; pwd'], ['--user', 'root', '--workdir', '/'])).toBe('0\n/\n');
  });

  it('mem_limit/cpus and deploy.resources.limits (--compatibility) reach inspect and the cgroup', async () => {
    expect(await inspect('cmds_lim_1', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}')).toBe(`${64 * 1024 * 1024} 500000000`);
    expect(await inspect('cmds_dep_1', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}')).toBe(`${32 * 1024 * 1024} 250000000`);
    const read = async (svc: string): Promise<string> =>
      execIn(svc, ['sh', '-c', 'if [ -f /sys/fs/cgroup/memory.max ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us; fi']);
    expect((await read('lim')).split('\n').filter(Boolean).join(' ')).toMatch(new RegExp(`^${64 * 1024 * 1024} 50000 100000$`));
    expect((await read('dep')).split('\n').filter(Boolean).join(' ')).toMatch(new RegExp(`^${32 * 1024 * 1024} 25000 100000$`));
  });

  it('init: true runs an init as PID 1; tty and stdin_open give the process a terminal', async () => {
    expect(await inspect('cmds_lim_1', '{{.HostConfig.Init}} {{.Config.Tty}} {{.Config.OpenStdin}}')).toBe('true true true');
    const pid1 = (await execIn('lim', ['cat', '/proc/1/comm'])).trim();
    expect(pid1).not.toBe('sleep');
    expect(pid1).not.toBe('sh');
    const sleepPid = (await execIn('lim', ['pidof', 'sleep'])).trim();
    expect(sleepPid).not.toBe('1');
    expect(await execIn('lim', ['readlink', `/proc/${sleepPid}/fd/0`])).toMatch(/^\/dev\/pts\/\d+\n$/);
    expect((await execIn('inner', ['cat', '/proc/1/comm'])).trim()).toBe('sleep');
  });

  it('an internal network has no way out; a service also on a public network reaches the outside; aliases resolve', async () => {
    const server = sb.spawnIn('outside', ['busybox', 'nc', '-ll', '-p', '7072', '-e', 'echo', 'seen']);
    try {
      let out = '';
      for (let i = 0; i < 30 && !out.includes('seen'); i++) {
        out = (await compose(['exec', '-T', 'both', 'nc', '-w', '3', OUTSIDE_ADDR, '7072'])).stdout;
        if (!out.includes('seen')) await new Promise((r) => setTimeout(r, 200));
      }
      expect(out).toContain('seen');
      const blocked = await compose(['exec', '-T', 'inner', 'nc', '-w', '3', OUTSIDE_ADDR, '7072']);
      expect(blocked.stdout).not.toContain('seen');
      expect((await compose(['exec', '-T', 'inner', 'ping', '-c', '1', '-W', '2', OUTSIDE_ADDR])).code).not.toBe(0);
    } finally {
      server.kill();
    }
    expect((await compose(['exec', '-T', 'inner', 'ping', '-c', '1', '-W', '3', 'gateway-svc'])).code).toBe(0);
    expect((await compose(['exec', '-T', 'inner', 'ping', '-c', '1', '-W', '3', 'both'])).code).toBe(0);
    expect(await sb.d(['network', 'inspect', '-f', '{{.Internal}}', 'cmds_internal']).then((r) => r.stdout.trim())).toBe('true');
  });

  it('external, anonymous and bind volumes', async () => {
    const mounts = JSON.parse(await inspect('cmds_data_1', '{{json .Mounts}}')) as { Type: string; Name?: string; Source: string; Destination: string }[];
    const at = (d: string) => mounts.find((m) => m.Destination === d);
    expect(at('/ext')).toMatchObject({ Type: 'volume', Name: 'extvol' });
    expect(at('/anon')?.Type).toBe('volume');
    expect(at('/anon')?.Name).toMatch(/^[0-9a-f]{64}$/);
    expect(at('/bind')).toMatchObject({ Type: 'bind', Source: bindDir });
    expect(await execIn('data', ['cat', '/bind/from-host.txt'])).toBe('host data\n');
    await execIn('data', ['sh', '-c', 'echo kept > /ext/f && echo anon > /anon/f']);
  });

  it('restart: on-failure restarts a failing service', async () => {
    expect(await inspect('cmds_flaky_1', '{{.HostConfig.RestartPolicy.Name}}')).toBe('on-failure');
    await waitFor('flaky to be restarted twice', async () => Number(await inspect('cmds_flaky_1', '{{.RestartCount}}')) >= 2, 30_000);
  });

  it('logs -f follows new lines until the client is stopped', async () => {
    const child = spawn('docker-compose', ['-p', 'cmds', 'logs', '-f', '--no-color', '--tail', '1', 'worker'], { cwd: dir, env: { ...process.env, DOCKER_HOST: sb.berthd.dockerHost } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<void>((r) => child.on('close', () => r()));
    try {
      await waitFor('5 followed ticks', async () => (out.match(/worker_1\s+\| tick/g) ?? []).length >= 5, 15_000);
    } finally {
      child.kill('SIGINT');
    }
    await closed;
  });

  it('logs -f ends by itself when the followed service stops', async () => {
    const child = spawn('docker-compose', ['-p', 'cmds', 'logs', '-f', '--no-color', '--tail', '0', 'worker'], { cwd: dir, env: { ...process.env, DOCKER_HOST: sb.berthd.dockerHost } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await waitFor('a followed tick', async () => out.includes('tick'), 15_000);
      await ok(['stop', 'worker']);
      const code = await Promise.race([closed, new Promise<string>((r) => setTimeout(() => r('still following'), 10_000))]);
      expect(code).toBe(0);
      expect(out).toMatch(/cmds_worker_1 exited with code 0/);
    } finally {
      child.kill('SIGKILL');
      await ok(['start', 'worker']);
    }
  });

  it('events --json reports the stack\'s container events with their service', async () => {
    const child = spawn('docker-compose', ['-p', 'cmds', 'events', '--json'], { cwd: dir, env: { ...process.env, DOCKER_HOST: sb.berthd.dockerHost } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1_500));
      await ok(['restart', '-t', '2', 'lim']);
      await waitFor('a start event', async () => out.includes('"action": "start"') || out.includes('"action":"start"'), 10_000);
    } finally {
      child.kill('SIGINT');
    }
    const events = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; action: string; service: string; id: string; attributes: Record<string, string> });
    const lim = events.filter((e) => e.service === 'lim').map((e) => e.action);
    expect(lim).toEqual(expect.arrayContaining(['kill', 'die', 'stop', 'start', 'restart']));
    const start = events.find((e) => e.service === 'lim' && e.action === 'start')!;
    expect(start.type).toBe('container');
    expect(start.id).toBe(await inspect('cmds_lim_1', '{{.Id}}'));
    expect(start.attributes).toMatchObject({ name: 'cmds_lim_1', image, team: 'berth' });
  });

  it('port, images and run with its options', async () => {
    expect((await ok(['port', 'lim', '80'])).trim()).toBe('0.0.0.0:8081');
    expect(await ok(['images', 'lim'])).toMatch(/cmds_lim_1\s+\S+busybox\s+latest\s+[0-9a-f]{12}\s+\S+/);
    // As installed (the docker CLI present), compose runs a one-off with `docker start --attach`.
    const viaCli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn('docker-compose', ['-p', 'cmds', ...args], { cwd: dir, env: { ...process.env, DOCKER_HOST: sb.berthd.dockerHost, COMPOSE_INTERACTIVE_NO_CLI: '' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
    const run = await viaCli(['run', '--rm', '-T', '-e', 'X=from-run', '-u', '1000', '-w', '/tmp', '--entrypoint', 'sh', 'worker', '-c', 'echo $X; id -u; pwd; echo $FROM_FILE']);
    expect(run.stdout, run.stderr).toBe('from-run\n1000\n/tmp\n\n');
    expect(run.code).toBe(0);
    expect(await viaCli(['run', '--rm', '-T', 'worker', 'sh', '-c', 'exit 3']).then((r) => r.code)).toBe(3);
    // Without the CLI, compose attaches after it starts the one-off; a quick command has exited by
    // then, so it starts it again (dockerd: the attachment waits for that start). Never an error
    // (the output itself is the client's race: attached mid-run, it reads the rest of that run only).
    for (let k = 0; k < 3; k++) {
      const r = await compose(['run', '--rm', '-T', '-e', `K=${k}`, '-u', '1000', 'worker', 'sh', '-c', 'echo hi $K; id -u']);
      expect(r.code, r.stderr).toBe(0);
    }
    expect((await sb.d(['ps', '-aq', '--filter', 'label=com.docker.compose.oneoff=True'])).stdout.trim()).toBe('');
    const det = (await ok(['run', '-d', '--name', 'oneoff', 'worker'])).trim();
    expect(det).toBe('oneoff');
    expect(await inspect('oneoff', '{{.State.Running}} {{index .Config.Labels "com.docker.compose.oneoff"}}')).toBe('true True');
    await sb.d(['rm', '-f', 'oneoff']);
  });

  it('up in the foreground shows every service\'s output and --exit-code-from returns the exit code', async () => {
    const fg = ['-f', 'fg.yml'];
    const r = await compose([...fg, 'up', '--no-color', '--abort-on-container-exit', '--exit-code-from', 'talker'], 120_000, 'fg');
    expect(r.code, r.stderr).toBe(5);
    expect(r.stdout).toMatch(/talker_1\s+\| hello from talker/);
    expect(r.stdout).toMatch(/talker_1\s+\| bye/);
    expect(r.stdout).toMatch(/listener_1\s+\| listening/);
    expect(r.stdout).toMatch(/fg_talker_1 exited with code 5/);
    expect(await inspect('fg_listener_1', '{{.State.Running}}')).toBe('false');
    await compose([...fg, 'down'], 60_000, 'fg');
  });

  it('restart, kill, kill -s, pause and unpause', async () => {
    const before = await inspect('cmds_worker_1', '{{.State.StartedAt}}');
    await ok(['restart', '-t', '5', 'worker']);
    expect(await inspect('cmds_worker_1', '{{.State.Running}}')).toBe('true');
    expect(await inspect('cmds_worker_1', '{{.State.StartedAt}}')).not.toBe(before);

    await ok(['pause', 'worker']);
    expect(await inspect('cmds_worker_1', '{{.State.Status}} {{.State.Paused}}')).toBe('paused true');
    expect(await ok(['ps', 'worker'])).toMatch(/cmds_worker_1\s.*\sPaused/);
    const ex = await compose(['exec', '-T', 'worker', 'true']);
    expect(ex.code).not.toBe(0);
    expect(ex.stderr).toMatch(/is paused, unpause the container before exec/);
    await ok(['unpause', 'worker']);
    expect(await inspect('cmds_worker_1', '{{.State.Status}} {{.State.Paused}}')).toBe('running false');

    await ok(['kill', 'worker']);
    await waitFor('worker killed', async () => (await inspect('cmds_worker_1', '{{.State.Status}}')) === 'exited');
    expect(await inspect('cmds_worker_1', '{{.State.ExitCode}}')).toBe('137');
    expect(await ok(['ps', 'worker'])).toMatch(/cmds_worker_1\s.*\sExit 137/);

    // graceful traps USR1 and exits 7 after 2 s.
    await ok(['kill', '-s', 'SIGUSR1', 'graceful']);
    await waitFor('graceful to exit on SIGUSR1', async () => (await inspect('cmds_graceful_1', '{{.State.Status}}')) === 'exited');
    expect(await inspect('cmds_graceful_1', '{{.State.ExitCode}}')).toBe('7');
    await ok(['start', 'worker', 'graceful']);
  });

  it('stop uses stop_signal and stop_grace_period', async () => {
    expect(await inspect('cmds_graceful_1', '{{.Config.StopSignal}} {{.Config.StopTimeout}}')).toBe('SIGUSR1 30');
    const g = await compose(['stop', 'graceful']);
    expect(g.code).toBe(0);
    expect(await inspect('cmds_graceful_1', '{{.State.ExitCode}}')).toBe('7');
    // The trap takes 2 s; the 30 s grace is not used up.
    expect(g.ms).toBeGreaterThan(1_500);
    expect(g.ms).toBeLessThan(15_000);

    const s = await compose(['stop', 'stubborn']);
    expect(s.code).toBe(0);
    expect(await inspect('cmds_stubborn_1', '{{.State.ExitCode}}')).toBe('137');
    expect(s.ms).toBeGreaterThan(1_800);
    expect(s.ms).toBeLessThan(12_000);

    // compose also sets Config.StopTimeout: a plain `docker stop` (no -t) waits that grace, not 10 s.
    await ok(['start', 'stubborn']);
    const t0 = Date.now();
    expect((await sb.d(['stop', 'cmds_stubborn_1'])).code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThan(1_800);
    expect(Date.now() - t0).toBeLessThan(8_000);
  });

  it('up -d leaves an unchanged service alone and recreates a changed one, keeping its anonymous volume', async () => {
    const r = await compose(['up', '-d', 'lim', 'data']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/cmds_lim_1 is up-to-date/);
    const oldId = await inspect('cmds_data_1', '{{.Id}}');
    await writeFile(join(dir, 'docker-compose.yml'), composeFile(image, bindDir).replace('    stop_grace_period: 1s\n    volumes:', '    stop_grace_period: 1s\n    environment: [CHANGED=1]\n    volumes:'));
    try {
      const re = await compose(['up', '-d', 'data']);
      expect(re.code, re.stderr).toBe(0);
      expect(re.stderr).toMatch(/Recreating cmds_data_1/);
    } finally {
      await writeFile(join(dir, 'docker-compose.yml'), composeFile(image, bindDir));
    }
    expect(await inspect('cmds_data_1', '{{.Id}}')).not.toBe(oldId);
    expect(await execIn('data', ['sh', '-c', 'echo $CHANGED; cat /anon/f /ext/f'])).toBe('1\nanon\nkept\n');
    expect(await names()).not.toContain(expect.stringMatching(/^[0-9a-f]{12}_cmds_data_1$/));
  });

  it('up -d --scale worker=3 runs _1.._3, scale worker=1 goes back to one', async () => {
    await ok(['up', '-d', '--scale', 'worker=3', 'worker']);
    expect((await names()).filter((n) => n.startsWith('cmds_worker_'))).toEqual(['cmds_worker_1', 'cmds_worker_2', 'cmds_worker_3']);
    for (const n of [1, 2, 3]) expect(await inspect(`cmds_worker_${n}`, '{{.State.Running}} {{index .Config.Labels "com.docker.compose.container-number"}}')).toBe(`true ${n}`);
    const ps = await ok(['ps', 'worker']);
    expect(ps.match(/cmds_worker_\d\s.*\sUp/g)).toHaveLength(3);
    const sc = await compose(['scale', 'worker=1']);
    expect(sc.code).toBe(0);
    expect((await names()).filter((n) => n.startsWith('cmds_worker_'))).toEqual(['cmds_worker_1']);
  });

  it('rm -f -s stops and removes a running service', async () => {
    expect(await inspect('cmds_inner_1', '{{.State.Running}}')).toBe('true');
    await ok(['rm', '-f', '-s', 'inner']);
    expect(await names()).not.toContain('cmds_inner_1');
    expect(await ok(['ps'])).not.toContain('cmds_inner_1');
  });

  it('pull fetches a service image from the registry', async () => {
    const fresh = image.replace(/:latest$/, ':pulled');
    expect((await sb.d(['image', 'inspect', fresh])).code).not.toBe(0);
    await ok(['--profile', 'later', 'pull', 'fresh']);
    expect((await sb.d(['image', 'inspect', '-f', '{{.Id}}', fresh])).stdout.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('down -v removes containers, networks and anonymous volumes but keeps the external one', async () => {
    const anonAt = async (name: string, dest: string): Promise<string> =>
      (JSON.parse(await inspect(name, '{{json .Mounts}}')) as { Name?: string; Destination: string }[]).find((m) => m.Destination === dest)!.Name!;
    const depAnon = await anonAt('cmds_dep_1', '/cache');
    // data's was handed to its recreated container by name (Binds), so dockerd keeps it at rm -v.
    const recreatedAnon = await anonAt('cmds_data_1', '/anon');
    await ok(['--profile', 'later', 'down', '-v', '-t', '2']);
    expect(await names()).toEqual([]);
    const vols = (await sb.d(['volume', 'ls', '-q'])).stdout;
    expect(vols).toContain('extvol');
    expect(vols).not.toContain(depAnon);
    expect(vols).toContain(recreatedAnon);
    const nets = (await sb.d(['network', 'ls', '--format', '{{.Name}}'])).stdout;
    expect(nets).not.toContain('cmds_internal');
    expect(nets).not.toContain('cmds_public');
    const r = await sb.d(['run', '--rm', '-v', 'extvol:/ext', image, 'cat', '/ext/f']);
    expect(r.stdout).toBe('kept\n');
  });
});
