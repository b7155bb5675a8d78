import { describe, expect, it } from 'vitest';
import { ContainerCreateRequestSchema } from '../../../../src-shared/docker-api/containers';
import { parseJson } from '../http';
import { checkCreateSupport, isDefaultValue } from './create-support';

/** The body `docker create busybox true` (CLI 28, API 1.47) sends, captured from the wire. */
const CLI_BODY = {
  Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false, StdinOnce: false,
  Env: null, Cmd: ['true'], Image: 'busybox', Volumes: {}, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: {},
  HostConfig: {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: '', Config: {} }, NetworkMode: 'default', PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false, VolumeDriver: '', VolumesFrom: null, ConsoleSize: [0, 0], CapAdd: null, CapDrop: null, CgroupnsMode: '', Dns: [], DnsOptions: [], DnsSearch: [],
    ExtraHosts: null, GroupAdd: null, IpcMode: '', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false,
    SecurityOpt: null, UTSMode: '', UsernsMode: '', ShmSize: 0, Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [],
    BlkioDeviceReadBps: [], BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0,
    CpusetCpus: '', CpusetMems: '', Devices: [], DeviceCgroupRules: null, DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: -1, OomKillDisable: false,
    PidsLimit: 0, Ulimits: [], CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null,
  },
  NetworkingConfig: {
    EndpointsConfig: {
      default: { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DNSNames: null },
    },
  },
};

const withHost = (hc: Record<string, unknown>, top: Record<string, unknown> = {}) =>
  parseJson(JSON.stringify({ ...CLI_BODY, ...top, HostConfig: { ...CLI_BODY.HostConfig, ...hc } }), ContainerCreateRequestSchema);

describe('create body support', () => {
  it('accepts the docker CLI default body without warnings', () => {
    expect(checkCreateSupport(withHost({}))).toEqual([]);
  });

  it.each([
    ['Annotations', { a: 'b' }],
    ['DeviceRequests', [{ Driver: 'nvidia', Count: -1 }]],
  ])('refuses a non-default HostConfig.%s with a 400 naming it', (field, value) => {
    expect(() => checkCreateSupport(withHost({ [field]: value }))).toThrow(expect.objectContaining({ kind: 'InvalidArgument', message: expect.stringContaining(`HostConfig.${field}`) }));
  });

  it('refuses a non-default top-level field, endpoint settings and mount types it cannot mount', () => {
    expect(() => checkCreateSupport(withHost({}, { NetworkDisabled: true }))).toThrow(/NetworkDisabled/);
    expect(() => checkCreateSupport(withHost({}, { NetworkingConfig: { EndpointsConfig: { default: { DriverOpts: { a: 'b' } } } } }))).toThrow(/NetworkingConfig\.EndpointsConfig\.default\.DriverOpts/);
    expect(() => checkCreateSupport(withHost({ Mounts: [{ Type: 'image', Source: 'v', Target: '/v' }] }))).toThrow(/type image/);
    expect(() => checkCreateSupport(withHost({ Mounts: [{ Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { Subpath: 'a' } }] }))).toThrow(/VolumeOptions\.Subpath/);
    expect(checkCreateSupport(withHost({ Mounts: [{ Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { NoCopy: true } }], VolumesFrom: ['c:ro'] }))).toEqual([]);
  });

  it('refuses non-Linux isolation and IO maximums as dockerd does, and warns where dockerd discards', () => {
    expect(() => checkCreateSupport(withHost({ Isolation: 'hyperv' }))).toThrow(/isolation/);
    expect(() => checkCreateSupport(withHost({ IOMaximumIOps: 5 }))).toThrow(/Maximum IO/);
    expect(checkCreateSupport(withHost({ CpuCount: 2, KernelMemory: 1 << 30 }))).toEqual([
      'linux does not support CPU count. Count discarded.',
      'Specifying a kernel memory limit is deprecated and will be removed in a future release.',
      'Your kernel does not support kernel memory limit capabilities or the cgroup is not mounted. Limitation discarded.',
    ]);
  });

  it('answers a device request as dockerd without a device driver, and discards Cgroup with a warning', () => {
    expect(() => checkCreateSupport(withHost({ DeviceRequests: [{ Driver: '', Count: -1, Capabilities: [['gpu']] }] }))).toThrow('HostConfig.DeviceRequests: could not select device driver "" with capabilities: [[gpu]]');
    expect(checkCreateSupport(withHost({ Cgroup: 'container:x' }))).toEqual(['HostConfig.Cgroup "container:x" is not used on Linux (dockerd ignores it too). Discarded.']);
  });

  it('treats zero values, empty lists and maps of zero values as unset', () => {
    expect(isDefaultValue({ Name: '', MaximumRetryCount: 0 })).toBe(true);
    expect(isDefaultValue([''])).toBe(false);
    expect(isDefaultValue({ a: 'b' })).toBe(false);
  });
});
