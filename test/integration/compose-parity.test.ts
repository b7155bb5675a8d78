/**
 * Compose parity (#15): the same compose file brought up by Debian's dockerd and by berthd gives
 * containers whose `docker inspect` match on the fields compose sets. Each daemon runs in a network
 * namespace of its own with its own bridge (berthd: the netns sandbox; dockerd: a namespace this
 * test creates, as the networking bench does), each pulls the busybox fixture from a loopback
 * registry in its namespace (both serve the same storage) and tags it with the same name, so the
 * compose file is byte for byte the same. Then `docker-compose -p parity up -d` against each
 * daemon, wait for both services to be healthy, compare per service, and `down -v` on both.
 *
 * Normalised away, because they depend on the daemon's own run and not on what compose asked for:
 * container IDs (compose adds the short ID as a network alias), random host ports, the data-root
 * paths of named volumes, and the order compose posts Mounts in. Every label is compared,
 * com.docker.compose.* included: none depends on the daemon (same client, same file). Not compared:
 * fields of a newer API only one daemon speaks (DNSNames, KernelMemory) and of its own run (IPs).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { docker, type DockerResult } from '../harness/docker-cli';
import { findDockerdBinary, startDockerd, type PrivateDockerd } from '../harness/dockerd';
import { hasDockerCompose, runCompose, startComposeSandbox, type ComposeResult, type ComposeSandbox } from '../harness/compose';
import type { NetnsSandbox } from '../harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../harness/registry';

const execFileP = promisify(execFile);

const IMAGE = 'parity/busybox:latest';
const SERVICES = ['web', 'db'] as const;
type Service = (typeof SERVICES)[number];
type Daemon = 'berthd' | 'dockerd';

const COMPOSE_FILE = `version: "2.4"
services:
  web:
    image: ${IMAGE}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    restart: unless-stopped
    labels:
      com.example.tier: front
      com.example.owner: parity
    environment:
      GREETING: hello
      EMPTY: ""
    ports:
      - "18080:80"
      - "81"
      - "127.0.0.1:18082:82"
      - "18083:83/udp"
    volumes:
      - data:/data
      - ./site:/www:ro
    tmpfs:
      - /run:size=1m
      - /scratch
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"]
      interval: 1s
      timeout: 3s
      retries: 30
      start_period: 1s
    init: true
    user: root
    working_dir: /www
    stop_signal: SIGINT
    stop_grace_period: 5s
    extra_hosts: ["gateway.test:198.51.100.9"]
    cap_add: [NET_ADMIN]
    cap_drop: [MKNOD]
    mem_limit: 64m
    cpus: 0.5
    pids_limit: 100
    shm_size: 16m
    ulimits:
      nofile: {soft: 1024, hard: 2048}
    sysctls:
      net.core.somaxconn: 512
    logging:
      driver: json-file
      options: {max-size: 1m}
    networks:
      front:
        aliases: [www, site]
      default: {}
  db:
    image: ${IMAGE}
    entrypoint: sh -c
    command: ["touch /tmp/ready && exec sleep 3600"]
    restart: on-failure:3
    hostname: dbhost
    domainname: example.test
    tty: true
    stdin_open: true
    labels: [com.example.tier=back]
    environment: [MODE=primary, PATH=/usr/local/bin:/usr/bin:/bin]
    expose: ["5432"]
    volumes:
      - type: volume
        source: data
        target: /var/lib/db
        volume:
          nocopy: true
      - type: bind
        source: ./conf
        target: /conf
        read_only: true
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
    networks:
      front:
        aliases: [database]
      back: {}
      default: {}
volumes:
  data:
    labels: {com.example.kind: data}
networks:
  front:
    labels: {com.example.net: front}
  back:
    internal: true
`;

interface Side {
  d: (args: string[]) => Promise<DockerResult>;
  dockerHost: string;
}

type Inspect = Record<string, unknown> & {
  Id: string;
  Config: Record<string, unknown> & { Labels: Record<string, string> | null; Env: string[] | null };
  HostConfig: Record<string, unknown>;
  NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }>; Ports: Record<string, { HostIp: string; HostPort: string }[] | null> };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; Driver?: string; Mode: string; RW: boolean; Propagation: string }[];
  State: { Health?: { Status: string } };
};

describe.skipIf(!IS_ROOT || !hasDockerCompose || findDockerdBinary() === undefined)('compose parity: the same stack on dockerd and berthd (each in its own netns)', () => {
  let env: ComposeSandbox | undefined;
  let sb: NetnsSandbox;
  let ddNetns: string;
  let ddRegistry: RegistryHandle | undefined;
  let dd: PrivateDockerd | undefined;
  let dir: string;
  const sides = {} as Record<Daemon, Side>;
  const inspected = {} as Record<Daemon, Record<Service, Inspect>>;
  const roots = {} as Record<Daemon, string>;
  const upEvents = {} as Record<Daemon, string[]>;
  const objects = {} as Record<Daemon, { networks: Record<string, unknown>[]; volumes: Record<string, unknown>[]; ps: string }>;
  const before = {} as Record<Daemon, { networks: string; volumes: string }>;

  // compose 1.29 builds some lists (HostConfig.Binds) from Python sets: a fixed hash seed makes it
  // post them in the same order to both daemons, so the echoed order can be compared as is.
  const compose = (side: Side, args: string[], timeoutMs = 180_000): Promise<ComposeResult> =>
    runCompose({ cwd: dir, dockerHost: side.dockerHost, project: 'parity', env: { PYTHONHASHSEED: '0' }, timeoutMs }, args);
  const composeOk = async (name: Daemon, args: string[]): Promise<void> => {
    const r = await compose(sides[name], args);
    if (r.code !== 0) throw new Error(`${name}: docker-compose ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  };
  const ok = async (side: Side, args: string[]): Promise<string> => {
    const r = await side.d(args);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  /** A `--since`/`--until` time to the millisecond (the fraction is in nanoseconds, as docker reads it). */
  const stamp = (ms: number): string => `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1e6).padStart(9, '0')}`;
  /** The daemon's events from `since` until now, one `type action name` line each, probes aside, sorted. */
  const eventsSince = async (name: Daemon, since: string): Promise<string[]> => {
    await new Promise((res) => setTimeout(res, 300));
    const ev = await ok(sides[name], ['events', '--since', since, '--until', stamp(Date.now()), '--filter', 'type=container', '--filter', 'type=network', '--filter', 'type=volume', '--format', '{{.Type}} {{.Action}} {{if eq .Type "volume"}}{{.Actor.ID}}{{else}}{{.Actor.Attributes.name}}{{end}}']);
    // Probes (exec_*) and health_status come on their own timers. compose works on services in
    // parallel: compared as a multiset. Network events name the network, not the container.
    return ev.trim().split('\n').filter((l) => l !== '' && !/ (exec_|health_status)/.test(l)).sort();
  };
  const snapshot = async (side: Side): Promise<{ networks: string; volumes: string }> => ({
    networks: (await ok(side, ['network', 'ls', '--format', '{{.Name}}'])).split('\n').sort().join('\n'),
    volumes: (await ok(side, ['volume', 'ls', '-q'])).split('\n').sort().join('\n'),
  });
  const waitHealthy = async (name: Daemon): Promise<void> => {
    for (let i = 0; i < 120; i++) {
      const r = await sides[name].d(['inspect', '-f', '{{.State.Health.Status}}', 'parity_web_1', 'parity_db_1']);
      if (r.code === 0 && r.stdout.trim().split('\n').every((s) => s === 'healthy')) return;
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error(`${name}: the services did not become healthy`);
  };

  beforeAll(async () => {
    env = await startComposeSandbox({ dirPrefix: 'berth-parity-' });
    ({ sb, dir } = env);
    sides.berthd = { d: (args) => sb.d(args, { timeoutMs: 120_000 }), dockerHost: sb.berthd.dockerHost };
    ddNetns = `berth-parity-${randomBytes(3).toString('hex')}`;
    await execFileP('ip', ['netns', 'add', ddNetns]);
    await execFileP('ip', ['-n', ddNetns, 'link', 'set', 'lo', 'up']);
    ddRegistry = await startRegistry({ netns: ddNetns, storageDir: env.seed.storageDir });
    dd = await startDockerd({ netns: ddNetns });
    const ddHost = dd.dockerHost;
    roots.dockerd = join(dd.dir, 'data');
    roots.berthd = sb.berthd.dataRoot;
    sides.dockerd = { d: (args) => docker(ddHost, args, { timeoutMs: 120_000 }), dockerHost: ddHost };
    for (const [name, reg] of [['berthd', sb.registry], ['dockerd', ddRegistry]] as const) {
      await ok(sides[name], ['pull', '-q', `${reg.host}/busybox:latest`]);
      await ok(sides[name], ['tag', `${reg.host}/busybox:latest`, IMAGE]);
      before[name] = await snapshot(sides[name]);
    }
    await mkdir(join(dir, 'site'));
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'site/index.html'), 'parity\n');
    await writeFile(join(dir, 'conf/db.conf'), 'x=1\n');
    await writeFile(join(dir, 'docker-compose.yml'), COMPOSE_FILE);
    // One daemon at a time: the machine is shared.
    for (const name of ['dockerd', 'berthd'] as const) {
      const since = stamp(Date.now() - 50);
      await composeOk(name, ['up', '-d']);
      upEvents[name] = await eventsSince(name, since);
      await waitHealthy(name);
      const out = await ok(sides[name], ['inspect', 'parity_web_1', 'parity_db_1']);
      const [web, db] = JSON.parse(out) as [Inspect, Inspect];
      inspected[name] = { web, db };
      objects[name] = {
        networks: JSON.parse(await ok(sides[name], ['network', 'inspect', 'parity_default', 'parity_front', 'parity_back'])) as Record<string, unknown>[],
        volumes: JSON.parse(await ok(sides[name], ['volume', 'inspect', 'parity_data'])) as Record<string, unknown>[],
        ps: (await compose(sides[name], ['ps'])).stdout,
      };
    }
  }, 420_000);

  afterAll(async () => {
    await dd?.stop();
    await ddRegistry?.stop();
    if (ddNetns) await execFileP('ip', ['netns', 'del', ddNetns]).catch(() => undefined);
    await env?.cleanup();
  }, 120_000);

  /** Runs `pick` on both daemons' inspect of each service and expects berthd's to equal dockerd's. */
  const same = (pick: (c: Inspect) => unknown): void => {
    for (const s of SERVICES) {
      const want = pick(inspected.dockerd[s]);
      const got = pick(inspected.berthd[s]);
      expect({ service: s, value: got }).toEqual({ service: s, value: want });
    }
  };
  const shortId = (c: Inspect): string => c.Id.slice(0, 12);

  /**
   * The whole inspect, with only what depends on each daemon's own run or API generation replaced,
   * each for the reason given: the catch-all for fields compose sets that the tests above miss.
   */
  const wholeInspect = (c: Inspect, root: string): unknown => {
    const id = c.Id;
    const text = JSON.stringify(c).split(root).join('<data-root>').split(id).join('<id>').split(id.slice(0, 12)).join('<short-id>');
    type Obj = Record<string, unknown>;
    const n = JSON.parse(text) as Inspect & { State: Obj; GraphDriver: Obj; HostConfig: Obj; NetworkSettings: Inspect['NetworkSettings'] & Obj };
    // Times and the process ID of this run; ExecIDs lists a healthcheck probe while one runs.
    delete n.Created;
    delete n.ExecIDs;
    for (const k of ['Pid', 'StartedAt', 'FinishedAt']) delete n.State[k];
    delete (n.State.Health as Record<string, unknown> | undefined)?.Log;
    // Layer directories are random IDs in each store (the driver name stays compared).
    delete n.GraphDriver.Data;
    // dockerd 20.10 speaks API 1.41: KernelMemory* (gone in 1.42) and no /proc/interrupts in the
    // masked paths (added by moby 25); berthd implements 1.48.
    for (const k of ['KernelMemory', 'KernelMemoryTCP', 'MaskedPaths']) delete n.HostConfig[k];
    // berthd has no libnetwork sandbox object: not something compose sets or reads.
    for (const k of ['SandboxID', 'SandboxKey']) delete n.NetworkSettings[k];
    for (const ep of Object.values(n.NetworkSettings.Networks) as Record<string, unknown>[]) {
      // Random IDs, addresses in allocation order, and DNSNames (API >= 1.44 only); Aliases above.
      for (const k of ['EndpointID', 'NetworkID', 'IPAddress', 'MacAddress', 'Gateway', 'DNSNames', 'Aliases']) delete ep[k];
    }
    for (const bindings of Object.values(n.NetworkSettings.Ports)) for (const b of bindings ?? []) if (!/^180\d\d$/.test(b.HostPort)) b.HostPort = '<random>';
    n.Mounts = [...n.Mounts].sort((a, b) => a.Destination.localeCompare(b.Destination));
    if (n.HostConfig.Mounts) n.HostConfig.Mounts = [...(n.HostConfig.Mounts as { Target: string }[])].sort((a, b) => a.Target.localeCompare(b.Target));
    return n;
  };

  it('the whole inspect matches once run-specific values are normalised', () => {
    for (const s of SERVICES) {
      expect({ service: s, inspect: wholeInspect(inspected.berthd[s], roots.berthd) }).toEqual({ service: s, inspect: wholeInspect(inspected.dockerd[s], roots.dockerd) });
    }
  });

  it('up -d emits the same container, network and volume events on both daemons', () => {
    expect(upEvents.dockerd).toEqual(expect.arrayContaining(['container create parity_web_1', 'container start parity_db_1', 'network create parity_front', 'volume create parity_data']));
    expect(upEvents.berthd).toEqual(upEvents.dockerd);
  });

  it('labels: every label compose sets (and the service labels) are the same', () => {
    same((c) => c.Config.Labels);
    expect(inspected.berthd.web.Config.Labels?.['com.docker.compose.project']).toBe('parity');
  });

  it('environment and healthcheck config are the same', () => {
    same((c) => c.Config.Env);
    same((c) => c.Config.Healthcheck);
  });

  it('both services are healthy on both daemons', () => {
    same((c) => c.State.Health?.Status);
    expect(inspected.berthd.web.State.Health?.Status).toBe('healthy');
  });

  it('restart policy, tmpfs and network mode are the same', () => {
    same((c) => c.HostConfig.RestartPolicy);
    same((c) => c.HostConfig.Tmpfs ?? null);
    same((c) => c.HostConfig.NetworkMode);
  });

  it('networks and their aliases are the same (the container short ID normalised)', () => {
    // dockerd 20.10 (API 1.41) also lists a set hostname ("dbhost") among the Aliases; moby >= 25,
    // whose API berthd implements (1.48), lists it in DNSNames instead: checked below, and by name.
    const hostnameOf = (c: Inspect): string => c.Config.Hostname as string;
    same((c) =>
      Object.fromEntries(
        Object.entries(c.NetworkSettings.Networks)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([net, ep]) => [net, (ep.Aliases ?? []).filter((a) => a === shortId(c) || a !== hostnameOf(c)).map((a) => (a === shortId(c) ? '<short-id>' : a)).sort()]),
      ),
    );
    for (const ep of Object.values(inspected.berthd.db.NetworkSettings.Networks) as { DNSNames?: string[] }[]) {
      expect(ep.DNSNames).toEqual(expect.arrayContaining(['parity_db_1', 'db', 'dbhost', shortId(inspected.berthd.db)]));
    }
  });

  it('a service resolves another by its service name, alias and hostname on both daemons', async () => {
    for (const name of ['dockerd', 'berthd'] as const) {
      for (const target of ['db', 'database', 'dbhost']) {
        const r = await compose(sides[name], ['exec', '-T', 'web', 'nslookup', target]);
        // The answer, not the server's own address (berthd's DNS listens on the network gateway).
        const answer = new RegExp(`Name:\\s*${target}\\s*\\nAddress(?: 1)?:\\s*\\d+\\.\\d+\\.\\d+\\.\\d+`);
        expect({ name, target, resolved: answer.test(r.stdout) }).toEqual({ name, target, resolved: true });
      }
    }
  });

  it('port bindings, exposed ports and published ports are the same (random host ports normalised)', () => {
    same((c) => c.HostConfig.PortBindings);
    same((c) => c.Config.ExposedPorts);
    same((c) => Object.keys(c.NetworkSettings.Ports).sort());
    // Each published port: same host addresses, fixed host ports as asked, random ones just set.
    same((c) =>
      Object.fromEntries(
        Object.entries(c.NetworkSettings.Ports).map(([port, bindings]) => [
          port,
          (bindings ?? []).map((b) => ({ HostIp: b.HostIp, HostPort: /^180\d\d$/.test(b.HostPort) ? b.HostPort : b.HostPort === '' ? '' : '<random>' })).sort((x, y) => x.HostIp.localeCompare(y.HostIp)),
        ]),
      ),
    );
  });

  const pick = (o: Record<string, unknown>, keys: string[]): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));

  it('command, user, hostname, tty and stop settings are the same', () => {
    same((c) => ({
      ...pick(c.Config, ['Cmd', 'Entrypoint', 'Image', 'User', 'WorkingDir', 'StopSignal', 'StopTimeout', 'Tty', 'OpenStdin', 'StdinOnce', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Domainname', 'Volumes']),
      Hostname: c.Config.Hostname === shortId(c) ? '<short-id>' : c.Config.Hostname,
      Name: c.Name,
    }));
  });

  it('resources, capabilities, init, extra hosts, sysctls, ulimits and logging are the same', () => {
    same((c) =>
      pick(c.HostConfig, [
        'Init', 'ExtraHosts', 'CapAdd', 'CapDrop', 'Memory', 'NanoCpus', 'CpuShares', 'ShmSize', 'Ulimits', 'Sysctls', 'LogConfig', 'PidsLimit',
        'Links', 'VolumesFrom', 'Dns', 'DnsSearch', 'DnsOptions', 'Privileged', 'ReadonlyRootfs', 'SecurityOpt', 'PidMode', 'IpcMode', 'UsernsMode',
        'OomScoreAdj', 'PublishAllPorts', 'AutoRemove', 'VolumeDriver',
      ]),
    );
  });

  it('the networks and the volume compose creates inspect the same (IDs, times, subnets and endpoints normalised)', () => {
    const net = (n: Record<string, unknown>): unknown => {
      const { Id: _id, Created: _created, EnableIPv4: _v4, IPAM, Containers, ...rest } = n as { Id: string; Created: string; EnableIPv4?: boolean; IPAM: { Config: unknown[] } & Record<string, unknown>; Containers: Record<string, { Name: string }> | null };
      // Subnets come from each daemon's pool in creation order; endpoints carry random IDs;
      // EnableIPv4 is an API 1.47 field (berthd: 1.48, dockerd 20.10: 1.41).
      return { ...rest, IPAM: { ...IPAM, Config: IPAM.Config.length }, Containers: Object.values(Containers ?? {}).map((c) => c.Name).sort() };
    };
    expect(objects.berthd.networks.map(net)).toEqual(objects.dockerd.networks.map(net));
    const vol = (v: Record<string, unknown>): unknown => ({ ...v, CreatedAt: '<time>', Mountpoint: String(v.Mountpoint).replace(roots.berthd, '<data-root>').replace(roots.dockerd, '<data-root>') });
    expect(objects.berthd.volumes.map(vol)).toEqual(objects.dockerd.volumes.map(vol));
  });

  it('the networks and the volume compose creates are the same', () => {
    const net = (n: Record<string, unknown>): Record<string, unknown> => ({
      ...pick(n, ['Name', 'Driver', 'Scope', 'Internal', 'Attachable', 'Ingress', 'EnableIPv6', 'Options', 'Labels']),
      IPAMDriver: (n.IPAM as { Driver?: string } | undefined)?.Driver ?? null,
      Containers: Object.keys((n.Containers as Record<string, unknown> | null) ?? {}).length,
    });
    expect(objects.berthd.networks.map(net)).toEqual(objects.dockerd.networks.map(net));
    const vol = (v: Record<string, unknown>): Record<string, unknown> => pick(v, ['Name', 'Driver', 'Scope', 'Labels', 'Options']);
    expect(objects.berthd.volumes.map(vol)).toEqual(objects.dockerd.volumes.map(vol));
  });

  it('docker-compose ps shows the same services, states and ports (random host ports normalised)', () => {
    const norm = (t: string): string[] =>
      t
        .trim()
        .split('\n')
        .map((l) => l.replace(/^-+$/, '---').replace(/:(\d+)->81\/tcp/g, ':<random>->81/tcp').replace(/\s+/g, ' ').trim());
    expect(norm(objects.berthd.ps)).toEqual(norm(objects.dockerd.ps));
  });

  it('mounts are the same (named volumes: data-root paths normalised; binds: the same source)', () => {
    same((c) =>
      [...c.Mounts]
        .sort((a, b) => a.Destination.localeCompare(b.Destination))
        .map((m) => ({
          Type: m.Type,
          Name: m.Name ?? null,
          Destination: m.Destination,
          Driver: m.Driver ?? null,
          RW: m.RW,
          Mode: m.Mode,
          Propagation: m.Propagation,
          ...(m.Type === 'bind' ? { Source: m.Source } : {}),
        })),
    );
    same((c) => c.HostConfig.Binds ?? null);
    // compose does not post Mounts in a stable order from one run to the next (not even with a fixed
    // hash seed), and each daemon echoes the order it got: compare them by target.
    same((c) => ((c.HostConfig.Mounts ?? null) as { Target: string }[] | null)?.slice().sort((a, b) => a.Target.localeCompare(b.Target)) ?? null);
  });

  it('a name known on two shared networks answers from one, the first by name (parity_default), as dockerd', async () => {
    for (const name of ['dockerd', 'berthd'] as const) {
      const r = await compose(sides[name], ['exec', '-T', 'web', 'nslookup', 'db']);
      const answered = [...r.stdout.matchAll(/Name:\s*db\s*\nAddress(?: \d+)?:\s*(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1]);
      const onDefault = (inspected[name].db.NetworkSettings.Networks.parity_default as unknown as { IPAddress: string }).IPAddress;
      expect({ name, answered }).toEqual({ name, answered: [onDefault] });
    }
  });

  it('inside the containers: /etc/hosts, hostname, environment and mounts are the same', async () => {
    const script = 'cat /etc/hosts; echo ---; cat /etc/hostname; echo ---; env | sort; echo ---; grep -E " /(www|data|run|scratch|conf|var/lib/db|dev/shm) " /proc/mounts | cut -d" " -f2-4 | sort';
    const seen = {} as Record<Daemon, Record<Service, string>>;
    for (const name of ['dockerd', 'berthd'] as const) {
      seen[name] = {} as Record<Service, string>;
      for (const svc of SERVICES) {
        const c = inspected[name][svc];
        const out = await ok(sides[name], ['exec', c.Id, 'sh', '-c', script]);
        seen[name][svc] = out.split(c.Id.slice(0, 12)).join('<short-id>').replace(/\b\d+\.\d+\.\d+\.\d+\b/g, (ip) => (ip.startsWith('172.') ? '<ip>' : ip));
      }
    }
    for (const svc of SERVICES) expect({ svc, out: seen.berthd[svc].split('\n') }).toEqual({ svc, out: seen.dockerd[svc].split('\n') });
  });

  it('top: the same processes (through docker-init for init: true), users and columns', async () => {
    const seen = {} as Record<Daemon, unknown>;
    for (const name of ['dockerd', 'berthd'] as const) {
      const out: Record<string, unknown> = {};
      for (const svc of SERVICES) {
        const id = inspected[name][svc].Id;
        const pid = (await ok(sides[name], ['inspect', '-f', '{{.State.Pid}}', id])).trim();
        const lines = (await ok(sides[name], ['top', id])).trim().split('\n');
        const titles = (lines[0] ?? '').trim().split(/\s+/);
        const rows = lines.slice(1).map((l) => l.trim().split(/\s+/));
        // The container's own process tree: its main process and what descends from it. Both
        // daemons also list a health probe while one runs (every second here, and slow on a loaded
        // machine), whose parent is the daemon's exec monitor: not part of what is compared.
        const [pidCol, ppidCol] = [titles.indexOf('PID'), titles.indexOf('PPID')];
        const tree = new Set([pid]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const f of rows) {
            const [p, parent] = [f[pidCol] ?? '', f[ppidCol] ?? ''];
            if (!tree.has(p) && tree.has(parent)) {
              tree.add(p);
              grew = true;
            }
          }
        }
        expect({ name, svc, main: rows.some((f) => f[pidCol] === pid) }).toEqual({ name, svc, main: true });
        // UID and CMD; PIDs, start times and CPU time are this run's.
        out[svc] = { titles, rows: rows.filter((f) => tree.has(f[pidCol] ?? '')).map((f) => `${f[0]} ${f.slice(titles.length - 1).join(' ')}`).sort() };
      }
      seen[name] = out;
    }
    expect((seen.dockerd as { web: { rows: string[] } }).web.rows).toEqual(expect.arrayContaining(['root /sbin/docker-init -- httpd -f -p 80 -h /www']));
    expect(seen.berthd).toEqual(seen.dockerd);
  });

  it('up -d again leaves both stacks as they are (up-to-date, the same containers)', async () => {
    for (const name of ['dockerd', 'berthd'] as const) {
      const r = await compose(sides[name], ['up', '-d']);
      expect({ name, code: r.code, out: r.stderr.split('\n').filter((l) => l.trim() !== '').sort() }).toEqual({ name, code: 0, out: ['parity_db_1 is up-to-date', 'parity_web_1 is up-to-date'] });
      const ids = (await ok(sides[name], ['inspect', '-f', '{{.Id}}', 'parity_web_1', 'parity_db_1'])).trim().split('\n');
      expect(ids).toEqual([inspected[name].web.Id, inspected[name].db.Id]);
    }
  }, 120_000);

  it('stop: both services stop the same way (exit codes through init and stop_signal, state, health)', async () => {
    const state = (c: Inspect): unknown => {
      const st = c.State as unknown as Record<string, unknown> & { Health?: Record<string, unknown> };
      return { ...pick(st, ['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'ExitCode', 'Error']), Health: st.Health?.Status ?? null, RestartCount: c.RestartCount };
    };
    const after = {} as Record<Daemon, Record<Service, unknown>>;
    const events = {} as Record<Daemon, string[]>;
    for (const name of ['dockerd', 'berthd'] as const) {
      const since = stamp(Date.now() - 50);
      await composeOk(name, ['stop']);
      await new Promise((res) => setTimeout(res, 300));
      const ev = await ok(sides[name], ['events', '--since', since, '--until', stamp(Date.now()), '--filter', 'label=com.docker.compose.project=parity', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
      // Probes (exec_*) and health_status come on their own timers; the lifecycle events do not.
      events[name] = ev.trim().split('\n').filter((l) => l !== '' && !/ (exec_|health_status)/.test(l));
      const [web, db] = JSON.parse(await ok(sides[name], ['inspect', 'parity_web_1', 'parity_db_1'])) as [Inspect, Inspect];
      after[name] = { web: state(web), db: state(db) };
    }
    expect(after.berthd).toEqual(after.dockerd);
    for (const svc of SERVICES) {
      const of = (name: Daemon): string[] => events[name].filter((l) => l.endsWith(` parity_${svc}_1`));
      expect(of('dockerd')).toEqual(expect.arrayContaining([`container die parity_${svc}_1`, `container stop parity_${svc}_1`]));
      expect({ svc, events: of('berthd') }).toEqual({ svc, events: of('dockerd') });
    }
  }, 120_000);

  it('start, pause and unpause: the same states, health and events on both daemons', async () => {
    const state = (c: Inspect): unknown => {
      const st = c.State as unknown as Record<string, unknown> & { Health?: Record<string, unknown> };
      return { ...pick(st, ['Status', 'Running', 'Paused', 'Restarting', 'ExitCode']), Health: st.Health?.Status ?? null, RestartCount: c.RestartCount };
    };
    const seen = {} as Record<Daemon, unknown>;
    for (const name of ['dockerd', 'berthd'] as const) {
      const since = stamp(Date.now() - 50);
      await composeOk(name, ['start']);
      await waitHealthy(name);
      await composeOk(name, ['pause', 'db']);
      const paused = JSON.parse(await ok(sides[name], ['inspect', 'parity_db_1'])) as [Inspect];
      await composeOk(name, ['unpause', 'db']);
      const unpaused = JSON.parse(await ok(sides[name], ['inspect', 'parity_db_1'])) as [Inspect];
      seen[name] = { paused: state(paused[0]), unpaused: state(unpaused[0]), events: await eventsSince(name, since) };
    }
    expect((seen.dockerd as { events: string[] }).events).toEqual(expect.arrayContaining(['container start parity_web_1', 'container pause parity_db_1', 'container unpause parity_db_1']));
    expect(seen.berthd).toEqual(seen.dockerd);
  }, 180_000);

  it('kill and restart: restart policies and states after them are the same on both daemons', async () => {
    const state = (c: Inspect): unknown => {
      const st = c.State as unknown as Record<string, unknown>;
      return { ...pick(st, ['Status', 'Running', 'Restarting', 'ExitCode']), RestartCount: c.RestartCount };
    };
    const seen = {} as Record<Daemon, unknown>;
    for (const name of ['dockerd', 'berthd'] as const) {
      const since = stamp(Date.now() - 50);
      await composeOk(name, ['kill', 'db']);
      // on-failure:3 after a kill through the API: give a policy restart time to happen.
      await new Promise((res) => setTimeout(res, 3000));
      const killed = JSON.parse(await ok(sides[name], ['inspect', 'parity_db_1'])) as [Inspect];
      await composeOk(name, ['restart', 'web']);
      const restarted = JSON.parse(await ok(sides[name], ['inspect', 'parity_web_1'])) as [Inspect];
      seen[name] = { killed: state(killed[0]), restarted: state(restarted[0]), events: await eventsSince(name, since) };
    }
    expect((seen.dockerd as { events: string[] }).events).toEqual(expect.arrayContaining(['container kill parity_db_1', 'container restart parity_web_1']));
    expect(seen.berthd).toEqual(seen.dockerd);
  }, 180_000);

  it('down -v leaves no container, network or volume on either daemon, with the same events', async () => {
    const events = {} as Record<Daemon, string[]>;
    for (const name of ['dockerd', 'berthd'] as const) {
      const since = stamp(Date.now() - 50);
      await composeOk(name, ['down', '-v']);
      expect((await ok(sides[name], ['ps', '-aq'])).trim()).toBe('');
      expect(await snapshot(sides[name])).toEqual(before[name]);
      events[name] = await eventsSince(name, since);
    }
    expect(events.dockerd).toEqual(expect.arrayContaining(['container destroy parity_web_1', 'network destroy parity_front', 'volume destroy parity_data']));
    expect(events.berthd).toEqual(events.dockerd);
  }, 240_000);
});
