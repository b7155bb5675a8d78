import { describe, expect, it } from 'vitest';
import type { ContainerDetailView } from '../../../../../src-shared/ipc/models/containers';
import { toContainerOverview } from './container-detail-mapper';

function detail(over: { cmd?: string[]; init?: boolean; running?: boolean; oom?: boolean } = {}): ContainerDetailView {
  return {
    id: 'a'.repeat(64),
    name: '/web',
    image: 'busybox',
    imageId: `sha256:${'b'.repeat(64)}`,
    created: 1_700_000_000_000,
    state: {
      status: over.running === false ? 'exited' : 'running',
      running: over.running !== false,
      pid: 4242,
      exitCode: over.oom ? 137 : 0,
      oomKilled: over.oom ?? false,
      error: '',
      startedAt: '2024-01-01T00:00:00Z',
      finishedAt: '0001-01-01T00:00:00Z',
    },
    path: (over.cmd ?? ['sleep'])[0] ?? '',
    args: (over.cmd ?? ['sleep', '1000']).slice(1),
    config: { cmd: over.cmd ?? ['sleep', '1000'], entrypoint: null, env: [], tty: true, openStdin: true, workingDir: '', user: '', hostname: 'web', labels: {} },
    hostConfig: { memory: 32 * 1024 * 1024, cpus: 0.5, pidsLimit: 100, init: over.init ?? false, autoRemove: false, networkMode: 'none', binds: [] },
    overlay: { driver: 'overlay2', lowerDir: '/var/lib/berth/overlay2/x-init/diff:/var/lib/berth/overlay2/l1/diff', upperDir: '/u', mergedDir: '/m', workDir: '/w' },
    mounts: [],
    pid1Warning: null,
    addresses: [{ network: 'app', ipv4: '172.20.0.2', prefixLen: 16, gateway: '172.20.0.1', mac: '', aliases: ['web', 'api', 'aaaaaaaaaaaa'] }],
    ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' }],
    health: null,
    restartPolicy: { name: 'no' },
    restartCount: 0,
    logConfig: { type: 'json-file', config: {} },
    raw: {},
  };
}

describe('container overview', () => {
  it('lists facts, limits and overlay dirs', () => {
    const o = toContainerOverview(detail());
    expect(o.name).toBe('web');
    expect(o.facts.find((f) => f.key === 'Command (PID 1)')?.value).toBe('sleep 1000');
    expect(o.limits).toContainEqual({ key: 'Memory', value: '32.0 MiB' });
    expect(o.overlay.map((f) => f.key)).toEqual(['Driver', 'LowerDir', 'UpperDir', 'MergedDir', 'WorkDir']);
    expect(o.pid1Warning).toBeNull();
  });

  it('flags a shell-form command unless --init is on', () => {
    expect(toContainerOverview(detail({ cmd: ['/bin/sh', '-c', 'sleep 1000'] })).pid1Warning?.title).toMatch(/PID 1/);
    expect(toContainerOverview(detail({ cmd: ['/bin/sh', '-c', 'sleep 1000'], init: true })).pid1Warning).toBeNull();
  });

  it('shows its addresses with the aliases a person gave, and port links only while running', () => {
    const o = toContainerOverview(detail(), '127.0.0.1');
    expect(o.addresses).toEqual([{ network: 'app', text: '172.20.0.2/16 (aka api)' }]);
    expect(o.ports.map((p) => p.url)).toEqual(['http://127.0.0.1:8080/']);
    expect(toContainerOverview(detail(), undefined).ports[0]?.tunnel).toEqual({ port: 8080, ip: '0.0.0.0' });
    expect(toContainerOverview(detail({ running: false })).ports).toEqual([]);
  });

  it('says OOM killed', () => {
    const o = toContainerOverview(detail({ running: false, oom: true }));
    expect(o.stateLabel).toBe('Exited (137) — OOM killed');
    expect(o.tone).toBe('danger');
  });
});
