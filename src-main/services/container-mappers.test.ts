import { describe, expect, it } from 'vitest';
import type { ContainerStatsResponse } from '../../src-shared/docker-api/containers';
import { fromTop, toCreateRequest, toStatsView } from './container-mappers';

const cpu = (total: number, system: number) => ({
  cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  system_cpu_usage: system,
  online_cpus: 2,
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

describe('container mappers', () => {
  it('computes CPU% and memory like docker stats', () => {
    const s = {
      id: 'c',
      read: '2024-01-01T00:00:01Z',
      cpu_stats: cpu(3e8, 2e9),
      precpu_stats: cpu(1e8, 1e9),
      memory_stats: { usage: 100 * 2 ** 20, limit: 1000 * 2 ** 20, stats: { inactive_file: 20 * 2 ** 20 } },
      pids_stats: { current: 3 },
      blkio_stats: { io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'read', value: 5 }, { major: 8, minor: 0, op: 'Write', value: 7 }] },
      networks: { eth0: { rx_bytes: 1, tx_bytes: 2 } },
    } as unknown as ContainerStatsResponse;
    const v = toStatsView(s);
    expect(v.cpuPercent).toBeCloseTo(40); // 2e8 / 1e9 * 2 cpus * 100
    expect(v.memoryUsage).toBe(80 * 2 ** 20);
    expect(v.memoryPercent).toBeCloseTo(8);
    expect(v).toMatchObject({ pids: 3, netRx: 1, netTx: 2, blockRead: 5, blockWrite: 7 });
    // First sample of a stream: no previous sample, no rate.
    expect(toStatsView({ ...s, precpu_stats: cpu(0, 0) } as ContainerStatsResponse).cpuPercent).toBe(0);
  });

  it('maps the run dialog to a create body (exec form untouched)', () => {
    expect(
      toCreateRequest({ image: 'busybox', cmd: ['sh', '-c', 'echo "a b"'], env: ['A=1'], memoryBytes: 32 * 2 ** 20, cpus: 0.5, pidsLimit: 10, tty: true, init: true, autoRemove: true, network: 'none', binds: ['/tmp:/x:ro'] }),
    ).toEqual({
      Image: 'busybox',
      Tty: true,
      OpenStdin: true,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Cmd: ['sh', '-c', 'echo "a b"'],
      Env: ['A=1'],
      HostConfig: { AutoRemove: true, Init: true, Memory: 32 * 2 ** 20, NanoCpus: 5e8, PidsLimit: 10, NetworkMode: 'none', Binds: ['/tmp:/x:ro'] },
    });
    expect(toCreateRequest({ image: 'x', network: 'default' }).HostConfig).toEqual({ AutoRemove: false, Init: false });
  });

  it('maps the restart policy and labels (the retry count only for on-failure)', () => {
    const on = toCreateRequest({ image: 'x', restartPolicy: { name: 'on-failure', maximumRetryCount: 3 }, labels: { team: 'web' } });
    expect(on.HostConfig?.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(on.Labels).toEqual({ team: 'web' });
    expect(toCreateRequest({ image: 'x', restartPolicy: { name: 'unless-stopped' } }).HostConfig?.RestartPolicy).toEqual({ Name: 'unless-stopped', MaximumRetryCount: 0 });
    expect(toCreateRequest({ image: 'x', restartPolicy: { name: 'no' } }).HostConfig).not.toHaveProperty('RestartPolicy');
  });

  it('reads /top (ps -ef) as host PIDs', () => {
    const v = fromTop({ Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], Processes: [['root', '123', '1', '0', '10:00', '?', '00:00:00', 'sleep 10']] });
    expect(v.processes).toEqual([{ hostPid: 123, containerPid: null, ppid: 1, user: 'root', command: 'sleep 10' }]);
  });
});
