/**
 * Issue 9, per-process HostConfig options through the stock docker CLI: each one is seen from
 * inside the container (and in its execs, which dockerd gives the container's settings too), and
 * inspect reports it.
 */
import { readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

describe.skipIf(!IS_ROOT)('containers: per-process options take effect', () => {
  let env: ContainersEnv;
  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const create = (body: Record<string, unknown>) =>
    engineRequest(env.berthd.socket, 'POST', '/containers/create', JSON.stringify({ Image: env.image, Cmd: ['true'], ...body }));
  const inspectHc = async (name: string): Promise<Record<string, unknown>> =>
    JSON.parse((await env.d(['inspect', '-f', '{{json .HostConfig}}', name])).stdout) as Record<string, unknown>;

  it('--oom-score-adj is the oom_score_adj of the container and of its execs; the default is 0', async () => {
    const run = await env.d(['run', '-d', '--name', 'oom1', '--oom-score-adj', '317', env.image, 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);
    const pid = (await env.d(['inspect', '-f', '{{.State.Pid}}', 'oom1'])).stdout.trim();
    expect((await readFile(`/proc/${pid}/oom_score_adj`, 'utf8')).trim()).toBe('317');
    const ex = await env.d(['exec', 'oom1', 'cat', '/proc/self/oom_score_adj']);
    expect(ex.stdout.trim()).toBe('317');
    expect(await inspectHc('oom1')).toMatchObject({ OomScoreAdj: 317 });
    const dflt = await env.d(['run', '--rm', env.image, 'cat', '/proc/self/oom_score_adj']);
    expect(dflt.stdout.trim()).toBe('0');
    const bad = await env.d(['create', '--oom-score-adj', '1001', env.image]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Invalid value 1001, range for oom score adj is [-1000, 1000]');
    await env.d(['rm', '-f', 'oom1']);
  });

  it('--ulimit sets soft and hard limits in the container and its execs; inspect reports them; bad ones are refused at create', async () => {
    const run = await env.d(['run', '-d', '--name', 'ul1', '--ulimit', 'nofile=1024:2048', '--ulimit', 'nproc=77', env.image, 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);
    const ex = await env.d(['exec', 'ul1', 'sh', '-c', 'ulimit -n; ulimit -Hn; ulimit -u; grep "Max open files" /proc/1/limits']);
    expect(ex.stdout.split('\n').slice(0, 3)).toEqual(['1024', '2048', '77']);
    expect(ex.stdout).toMatch(/Max open files\s+1024\s+2048\s+files/);
    expect(await inspectHc('ul1')).toMatchObject({ Ulimits: [{ Name: 'nofile', Hard: 2048, Soft: 1024 }, { Name: 'nproc', Hard: 77, Soft: 77 }] });
    await env.d(['rm', '-f', 'ul1']);
    // moby upper-cases the name (RLIMIT_<NAME>), so the API takes any case.
    const upper = await create({ Cmd: ['sh', '-c', 'ulimit -n'], HostConfig: { Ulimits: [{ Name: 'NOFILE', Soft: 100, Hard: 100 }] } });
    expect(upper.status).toBe(201);
    const id = (JSON.parse(upper.body) as { Id: string }).Id;
    const started = await env.d(['start', '-a', id]);
    expect(started.stdout.trim()).toBe('100');
    await env.d(['rm', id]);
    const unknown = await create({ HostConfig: { Ulimits: [{ Name: 'foo', Soft: 1, Hard: 2 }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('HostConfig.Ulimits: wrong rlimit value: RLIMIT_FOO');
    const inverted = await create({ HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 3000, Hard: 2000 }] } });
    expect(inverted.status).toBe(400);
    expect(inverted.body).toContain('soft limit must be less than or equal to hard limit: 3000 > 2000');
  });

  it('--group-add adds supplementary groups by name or number, for the container and its execs (any user); an unknown name is refused at create', async () => {
    const run = await env.d(['run', '--rm', '--group-add', '1234', '--group-add', 'app', env.image, 'id']);
    expect(run.stdout.trim()).toBe('uid=0(root) gid=0(root) groups=0(root),1000(app),1234');
    const asApp = await env.d(['run', '--rm', '-u', 'app', '--group-add', '1234', '--group-add', 'root', env.image, 'id', '-G']);
    expect(asApp.stdout.trim().split(' ').sort()).toEqual(['0', '1000', '1234']);
    expect((await env.d(['run', '-d', '--name', 'ga1', '--group-add', '1234', env.image, 'sleep', '60'])).code).toBe(0);
    expect((await env.d(['exec', 'ga1', 'id'])).stdout.trim()).toBe('uid=0(root) gid=0(root) groups=0(root),1234');
    expect((await env.d(['exec', '-u', 'app', 'ga1', 'id'])).stdout.trim()).toBe('uid=1000(app) gid=1000(app) groups=1000(app),1234');
    expect(await inspectHc('ga1')).toMatchObject({ GroupAdd: ['1234'] });
    await env.d(['rm', '-f', 'ga1']);
    const unknown = await env.d(['create', '--name', 'ga2', '--group-add', 'nosuch', env.image, 'id']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('Unable to find group nosuch: no matching entries in group file');
    expect((await env.d(['inspect', 'ga2'])).code).not.toBe(0);
  });

  it('--sysctl writes namespaced sysctls in the container (net, ipc, mqueue), over moby\'s defaults; the host keeps its own', async () => {
    const hostPortStart = (await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')).trim();
    const files = ['net/ipv4/ip_unprivileged_port_start', 'kernel/shmmax', 'fs/mqueue/msg_max', 'net/ipv4/conf/all/forwarding', 'net/ipv4/tcp_syncookies'].map((f) => `/proc/sys/${f}`);
    const run = await env.d([
      'run', '--name', 'sc1', '--sysctl', 'net.ipv4.ip_unprivileged_port_start=80', '--sysctl', 'kernel.shmmax=12345', '--sysctl', 'fs.mqueue.msg_max=20',
      '--sysctl', 'net.ipv4.conf.all.forwarding=1', env.image, 'cat', ...files,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n').slice(0, 4)).toEqual(['80', '12345', '20', '1']);
    expect(await inspectHc('sc1')).toMatchObject({ Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '80', 'kernel.shmmax': '12345' } });
    await env.d(['rm', 'sc1']);
    // The API also takes runc's slash form.
    const slash = await create({ Cmd: ['cat', '/proc/sys/net/ipv4/tcp_syncookies'], HostConfig: { Sysctls: { 'net/ipv4/tcp_syncookies': '0' } } });
    expect(slash.status).toBe(201);
    const slashId = (JSON.parse(slash.body) as { Id: string }).Id;
    expect((await env.d(['start', '-a', slashId])).stdout.trim()).toBe('0');
    await env.d(['rm', slashId]);
    // moby's defaults in a network namespace of the container's own: ports below 1024 and ping for everyone.
    const dflt = await env.d(['run', '--rm', '-u', 'app', env.image, 'sh', '-c', 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range; nc -l -p 80 -w 1 2>&1 & sleep 0.3; netstat -ltn | grep -c ":80 "']);
    expect(dflt.stdout.split('\n').slice(0, 3)).toEqual(['0', '0\t2147483647', '1']);
    // Not in the host's network namespace: neither the user's nor the defaults.
    const host = await env.d(['run', '--rm', '--network', 'host', env.image, 'cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']);
    expect(host.stdout.trim()).toBe(hostPortStart);
    expect((await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')).trim()).toBe(hostPortStart);
  });

  it('refuses at create the sysctls runc refuses (not namespaced, host network), with runc\'s words; a missing one fails the start as in dockerd', async () => {
    const hostNet = await env.d(['create', '--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1', env.image]);
    expect(hostNet.code).not.toBe(0);
    expect(hostNet.stderr).toContain('HostConfig.Sysctls: sysctl "net.ipv4.ip_forward" not allowed in host network namespace');
    for (const [key, message] of [
      ['kernel.pid_max', 'sysctl "kernel.pid_max" is not in a separate kernel namespace'],
      ['kernel.hostname', 'sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field'],
      ['net/../../../etc/x', 'invalid sysctl name'],
    ] as const) {
      const res = await create({ HostConfig: { Sysctls: { [key]: '1' } } });
      expect(res.status, key).toBe(400);
      expect((JSON.parse(res.body) as { message: string }).message).toContain(message);
    }
    const missing = await env.d(['run', '--name', 'sc2', '--sysctl', 'net.ipv4.conf.nosuchif.forwarding=1', env.image, 'true']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('open /proc/sys/net/ipv4/conf/nosuchif/forwarding: no such file or directory');
    await env.d(['rm', '-f', 'sc2']);
  });

  it('--pid host, --ipc host|none and --uts host share the host\'s namespaces as dockerd does', async () => {
    const hostNs = async (ns: string): Promise<string> => readlink(`/proc/self/ns/${ns}`);
    const hostBefore = hostname();
    const pid = await env.d(['run', '-d', '--name', 'ns1', '--pid', 'host', '--ipc', 'host', '--uts', 'host', env.image, 'sleep', '60']);
    expect(pid.code, pid.stderr).toBe(0);
    const shmName = `berth-ns-test-${process.pid}`;
    await writeFile(`/dev/shm/${shmName}`, 'from the host');
    try {
      const ex = await env.d(['exec', 'ns1', 'sh', '-c', `for n in pid ipc uts; do readlink /proc/self/ns/$n; done; cat /proc/1/cmdline | tr "\\0" " "; echo; hostname; cat /etc/hostname; cat /dev/shm/${shmName}; echo; echo $$`]);
      const lines = ex.stdout.split('\n');
      expect(lines.slice(0, 3)).toEqual([await hostNs('pid'), await hostNs('ipc'), await hostNs('uts')]);
      expect(lines[3]?.trim()).toBe((await readFile('/proc/1/cmdline', 'utf8')).split('\0').join(' ').trim());
      expect(lines[4]).toBe(hostname());
      const id = (await env.d(['inspect', '-f', '{{.Id}}', 'ns1'])).stdout.trim();
      expect(lines[5]).toBe(id.slice(0, 12));
      expect(lines[6]).toBe('from the host');
      expect(Number(lines[7])).toBeGreaterThan(1);
    } finally {
      await rm(`/dev/shm/${shmName}`, { force: true });
    }
    expect(await inspectHc('ns1')).toMatchObject({ PidMode: 'host', IpcMode: 'host', UTSMode: 'host' });
    await env.d(['rm', '-f', 'ns1']);
    // Nothing renamed the host.
    expect(hostname()).toBe(hostBefore);
    // Private by default: its own namespaces, and PID 1 is the container's process.
    const priv = await env.d(['run', '--rm', env.image, 'sh', '-c', 'for n in pid ipc uts; do readlink /proc/self/ns/$n; done; echo $$']);
    const pl = priv.stdout.split('\n');
    expect(pl[0]).not.toBe(await hostNs('pid'));
    expect(pl[1]).not.toBe(await hostNs('ipc'));
    expect(pl[2]).not.toBe(await hostNs('uts'));
    expect(pl[3]).toBe('1');
    const none = await env.d(['run', '--rm', '--ipc', 'none', env.image, 'sh', '-c', 'grep -c " /dev/shm " /proc/mounts']);
    expect(none.stdout.trim()).toBe('0');
    const conflict = await env.d(['create', '-h', 'foo', '--uts', 'host', env.image]);
    expect(conflict.stderr).toContain('conflicting options: hostname and the UTS mode');
    const join = await create({ HostConfig: { IpcMode: 'container:abc' } });
    expect(join.status).toBe(404);
    expect(join.body).toContain('No such container: abc');
    const invalid = await create({ HostConfig: { IpcMode: 'bogus' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toContain('invalid IPC mode: bogus');
  });

  it('--pid container:<name> runs in that container\'s pid namespace; it must exist at create and run at start', async () => {
    expect((await env.d(['create', '--name', 'pidsrc', env.image, 'sleep', '60'])).code).toBe(0);
    const srcId = (await env.d(['inspect', '-f', '{{.Id}}', 'pidsrc'])).stdout.trim();
    const stopped = await env.d(['run', '--rm', '--pid', 'container:pidsrc', env.image, 'true']);
    expect(stopped.code).not.toBe(0);
    expect(stopped.stderr).toContain(`container ${srcId} is not running`);
    expect((await env.d(['start', 'pidsrc'])).code).toBe(0);
    const run = await env.d(['run', '--name', 'pidjoin', '--pid', 'container:pidsrc', env.image, 'sh', '-c', 'ps -o pid,args; echo $$']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\s*1 sleep 60$/m);
    expect(Number(run.stdout.trim().split('\n').pop())).toBeGreaterThan(1);
    expect(await inspectHc('pidjoin')).toMatchObject({ PidMode: `container:${srcId}` });
    await env.d(['rm', '-f', 'pidjoin', 'pidsrc']);
    const missing = await env.d(['create', '--pid', 'container:nosuch', env.image]);
    expect(missing.stderr).toContain('No such container: nosuch');
  });

  it('Config.Shell and Config.OnBuild posted at create are kept, reported and committed into the image, as by dockerd', async () => {
    const res = await engineRequest(env.berthd.socket, 'POST', '/containers/create?name=shob', JSON.stringify({ Image: env.image, Cmd: ['true'], Shell: ['/bin/ash', '-c'], OnBuild: ['RUN echo hi'] }));
    expect(res.status, res.body).toBe(201);
    expect((await env.d(['inspect', '-f', '{{json .Config.Shell}} {{json .Config.OnBuild}}', 'shob'])).stdout.trim()).toBe('["/bin/ash","-c"] ["RUN echo hi"]');
    const tag = `berth-shob-${process.pid}:latest`;
    expect((await env.d(['commit', 'shob', tag])).code).toBe(0);
    expect((await env.d(['image', 'inspect', '-f', '{{json .Config.Shell}} {{json .Config.OnBuild}}', tag])).stdout.trim()).toBe('["/bin/ash","-c"] ["RUN echo hi"]');
    await env.d(['rm', 'shob']);
    await env.d(['rmi', tag]);
  });

  it('--ipc container:<name> joins a shareable container\'s IPC namespace and /dev/shm; a private donor is refused as by dockerd', async () => {
    expect((await env.d(['run', '-d', '--name', 'don1', '--ipc', 'shareable', env.image, 'sh', '-c', 'echo hello > /dev/shm/f; sleep 60'])).code).toBe(0);
    expect((await env.d(['run', '-d', '--name', 'don2', env.image, 'sleep', '60'])).code).toBe(0);
    const donorIpc = (await env.d(['exec', 'don1', 'readlink', '/proc/self/ns/ipc'])).stdout.trim();
    const join = await env.d(['run', '--name', 'ipcj', '--ipc', 'container:don1', env.image, 'sh', '-c', 'cat /dev/shm/f; readlink /proc/self/ns/ipc; echo back > /dev/shm/g']);
    expect(join.code, join.stderr).toBe(0);
    expect(join.stdout.split('\n').slice(0, 2)).toEqual(['hello', donorIpc]);
    expect((await env.d(['exec', 'don1', 'cat', '/dev/shm/g'])).stdout.trim()).toBe('back');
    const donorId = (await env.d(['inspect', '-f', '{{.Id}}', 'don1'])).stdout.trim();
    expect(await inspectHc('ipcj')).toMatchObject({ IpcMode: `container:${donorId}` });
    expect(await inspectHc('don1')).toMatchObject({ IpcMode: 'shareable' });
    const priv = await env.d(['run', '--rm', '--ipc', 'container:don2', env.image, 'true']);
    expect(priv.code).not.toBe(0);
    expect(priv.stderr).toContain('non-shareable IPC (hint: use IpcMode:shareable for the donor container)');
    await env.d(['rm', '-f', 'ipcj', 'don1', 'don2']);
    const missing = await env.d(['create', '--ipc', 'container:nosuch', env.image]);
    expect(missing.stderr).toContain('No such container: nosuch');
  });
});
