import { describe, expect, it } from 'vitest';
import { ContainerCreateRequestSchema } from '../../../../src-shared/docker-api/containers';
import { parseJson } from '../http';
import { commandText, humanDuration, statusText, toContainerCreateInput, toHostConfigDto, toStatsDto } from './container-dto';
import type { ContainerRecord } from '../../store/containers/container-record';

import { mergeLogConfig } from '../../engine/containers/log-driver';
describe('humanDuration (go-units)', () => {
  it.each([
    [500, 'Less than a second'],
    [1000, '1 second'],
    [59_000, '59 seconds'],
    [60_000, 'About a minute'],
    [3 * 60_000, '3 minutes'],
    [3_600_000, 'About an hour'],
    [5 * 3_600_000, '5 hours'],
    [3 * 86_400_000, '3 days'],
    [21 * 86_400_000, '3 weeks'],
  ])('%d ms -> %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('create body', () => {
  it('maps the docker CLI body and fills dockerd defaults; inspect reports every field with its value', () => {
    const body = parseJson(
      JSON.stringify({ Image: 'busybox', Cmd: ['echo', 'hi'], Tty: false, HostConfig: { AutoRemove: true, NetworkMode: 'none', Memory: 33554432, PidsLimit: null, CgroupnsMode: '', Tmpfs: { '/run': 'size=1m' } }, NetworkingConfig: { EndpointsConfig: {} } }),
      ContainerCreateRequestSchema,
    );
    const input = toContainerCreateInput(body, 'x');
    expect(input.hostConfig).toMatchObject({ autoRemove: true, networkMode: 'none', memory: 33554432, pidsLimit: 0, shmSize: 67108864, restartPolicy: { name: 'no' }, tmpfs: { '/run': 'size=1m' } });
    // No LogConfig: the daemon's default driver is filled in by the engine at create (log-driver.ts).
    expect(input.hostConfig.logConfig).toEqual({ type: '', config: {} });
    // No CgroupnsMode: the engine fills the cgroup version's default at create (host on v1).
    expect(input.hostConfig.cgroupnsMode).toBe('');
    const echo = toHostConfigDto({ ...input.hostConfig, cgroupnsMode: 'host', logConfig: mergeLogConfig(input.hostConfig.logConfig) });
    expect(echo).toMatchObject({ AutoRemove: true, CgroupnsMode: 'host', IpcMode: 'private', Runtime: 'runc', LogConfig: { Type: 'json-file' }, ShmSize: 67108864, PidsLimit: null, Tmpfs: { '/run': 'size=1m' }, OomScoreAdj: 0, Ulimits: null });
    expect(Object.keys(echo)).toEqual(expect.arrayContaining(['BlkioWeightDevice', 'CpuRealtimePeriod', 'CpusetMems', 'DeviceCgroupRules', 'MemorySwappiness', 'GroupAdd', 'Devices']));
  });

  it('a read-only bind posted in Mounts has an empty Mode, as on dockerd (compose long syntax)', () => {
    const body = parseJson(JSON.stringify({ Image: 'b', HostConfig: { Mounts: [{ Type: 'bind', Source: '/h', Target: '/c', ReadOnly: true }] } }), ContainerCreateRequestSchema);
    expect(toContainerCreateInput(body, 'x').hostConfig.mounts).toEqual([{ type: 'bind', source: '/h', destination: '/c', readOnly: true, mode: '' }]);
  });

  it('echoes HostConfig lists as posted, as dockerd: [] stays [] (docker CLI, compose), absent or null is null (compose)', () => {
    const echo = (hc: object): Record<string, unknown> => toHostConfigDto(toContainerCreateInput(parseJson(JSON.stringify({ Image: 'b', HostConfig: hc }), ContainerCreateRequestSchema), 'x').hostConfig);
    expect(echo({ Binds: [], VolumesFrom: [], Dns: [], Ulimits: [], Devices: [] })).toMatchObject({ Binds: [], VolumesFrom: [], Dns: [], Ulimits: [], Devices: [] });
    expect(echo({ Dns: null })).toMatchObject({ Binds: null, VolumesFrom: null, Dns: null, DnsOptions: null, DnsSearch: null, Ulimits: null, Devices: null, BlkioWeightDevice: null });
    expect(echo({ Binds: ['/h:/c:ro'], Dns: ['10.0.0.1'] })).toMatchObject({ Binds: ['/h:/c:ro'], Dns: ['10.0.0.1'] });
  });

  it('shows HostConfig.Init only when it was posted, as dockerd', () => {
    const echo = (hc: object): Record<string, unknown> => toHostConfigDto(toContainerCreateInput(parseJson(JSON.stringify({ Image: 'b', HostConfig: hc }), ContainerCreateRequestSchema), 'x').hostConfig);
    expect(echo({})).not.toHaveProperty('Init');
    expect(echo({ Init: null })).not.toHaveProperty('Init');
    expect(echo({ Init: false })).toMatchObject({ Init: false });
    expect(echo({ Init: true })).toMatchObject({ Init: true });
  });

  it('refuses keys outside the Engine API schema, naming them', () => {
    expect(() => parseJson('{"Image":"b","HostConfig":{"Future":1}}', ContainerCreateRequestSchema)).toThrow(/HostConfig.*Future/);
    expect(() => parseJson('{"Image":"b","Unknown":true}', ContainerCreateRequestSchema)).toThrow(/Unknown/);
  });

  it('rejects wrong types with the path', () => {
    expect(() => parseJson('{"Image":"b","HostConfig":{"Memory":"lots"}}', ContainerCreateRequestSchema)).toThrow(/HostConfig\.Memory/);
    expect(() => parseJson('{"Cmd":[1]}', ContainerCreateRequestSchema)).toThrow(/Cmd/);
  });

  it('accepts a string Cmd (old clients)', () => {
    expect(toContainerCreateInput(parseJson('{"Image":"b","Cmd":"ls"}', ContainerCreateRequestSchema), undefined).config.cmd).toEqual(['ls']);
  });
});

const rec = (state: Partial<ContainerRecord['state']>): ContainerRecord =>
  ({ id: 'a'.repeat(64), name: 'n', created: '2024-01-01T00:00:00.000Z', config: { labels: {} }, state: { status: 'exited', pid: 0, exitCode: 0, oomKilled: false, error: '', startedAt: null, finishedAt: null, ...state } }) as unknown as ContainerRecord;

describe('statusText (moby State.String)', () => {
  const now = Date.parse('2024-01-01T00:10:00Z');
  it('covers created, up and exited', () => {
    expect(statusText(rec({ status: 'created' }), now)).toBe('Created');
    expect(statusText(rec({ status: 'running', startedAt: '2024-01-01T00:07:00Z' }), now)).toBe('Up 3 minutes');
    expect(statusText(rec({ status: 'exited', exitCode: 3, startedAt: '2024-01-01T00:00:00Z', finishedAt: '2024-01-01T00:09:58Z' }), now)).toBe('Exited (3) 2 seconds ago');
  });
});

describe('stats DTO', () => {
  it('reports the host memory as limit when unlimited and keeps memory.stat for the CLI', () => {
    const base = { cpu: { totalNs: 2e9, userNs: 1e9, systemNs: 1e9, throttling: { periods: 0, throttledPeriods: 0, throttledNs: 0 } }, memory: { usage: 10, stat: { total_inactive_file: 4 }, oomKills: 0 }, pids: { current: 2 }, blkio: { ioServiceBytesRecursive: [] }, systemCpuNs: 5e9, onlineCpus: 2 };
    const dto = toStatsDto({ current: { ...base, readAt: new Date(2000) }, previous: { ...base, readAt: new Date(1000), cpu: { ...base.cpu, totalNs: 1e9 }, systemCpuNs: 3e9 }, record: rec({ status: 'running' }) }, 1234);
    expect(dto.memory_stats).toMatchObject({ usage: 10, limit: 1234, stats: { total_inactive_file: 4 } });
    expect(dto.cpu_stats.cpu_usage.total_usage - dto.precpu_stats.cpu_usage.total_usage).toBe(1e9);
    expect(dto.cpu_stats.online_cpus).toBe(2);
    expect(dto.name).toBe('/n');
  });
});

describe('commandText', () => {
  it('quotes arguments with spaces as moby list.go', () => {
    expect(commandText('sh', ['-c', 'echo hi'])).toBe("sh -c 'echo hi'");
    expect(commandText('true', [])).toBe('true');
  });
});
