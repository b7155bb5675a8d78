/**
 * Which create-body fields berthd applies (issue 9's rule: every field either takes effect as in
 * dockerd or is refused with a 400 naming it). The wire schema (src-shared/docker-api/containers.ts)
 * is closed, so an unknown key is already a 400; this module handles the listed-but-not-applied
 * ones: a non-default value is refused, a default one (what the docker CLI sends for an option not
 * given) passes. Fields dockerd itself discards on Linux pass with a warning, as dockerd warns.
 *
 * To support a field: map it in api/dto/container-dto.ts (both ways), model it in
 * store/containers/container-record.ts, apply it, then delete its line from NOT_APPLIED below.
 */
import type { ContainerCreateRequest, HostConfigDto } from '../../../../src-shared/docker-api/containers';
import { invalidArgument } from '../../lib/errors';

/** What the docker CLI (and dockerode, docker-py) send for an option that was not given. */
export function isDefaultValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v).every(isDefaultValue);
  return false;
}

/**
 * HostConfig fields not applied yet, with the engineer/area that owns them and, where the CLI's
 * default is not a zero value, which values are accepted as "unset".
 */
const NOT_APPLIED: Partial<Record<keyof HostConfigDto, { owner: string; accept?: (v: unknown) => boolean }>> = {
  // networking (net)
  // volumes (vol): VolumeDriver other than local is refused by the mapping (container-dto.ts).
  // resources and namespaces not applied yet (opts)
  Annotations: { owner: 'opts' },
  // StorageOpt: refused by the engine at create, in dockerd's words for the data root's filesystem.
};

/** Top-level Config fields not applied yet (`MacAddress` is moved to its endpoint by api/compat first). */
const NOT_APPLIED_CONFIG: Partial<Record<keyof ContainerCreateRequest, { owner: string }>> = {
  NetworkDisabled: { owner: 'net' },
};

/** EndpointsConfig fields berthd applies (the network engine checks their values). */
const APPLIED_ENDPOINT_FIELDS = new Set(['Aliases', 'MacAddress', 'NetworkID', 'EndpointID', 'Links']);

const refuseWith = (message: string): never => {
  throw invalidArgument('FIELD_NOT_SUPPORTED', message);
};

const refuse = (field: string): never => {
  throw invalidArgument('FIELD_NOT_SUPPORTED', `${field}: not supported by berthd`);
};

/**
 * Throws a 400 naming the first field berthd would otherwise ignore; returns the warnings of
 * fields dockerd itself discards on Linux (their values are dropped by the mapping).
 */
export function checkCreateSupport(body: ContainerCreateRequest): string[] {
  for (const [k, rule] of Object.entries(NOT_APPLIED_CONFIG)) {
    if (rule && !isDefaultValue(body[k as keyof ContainerCreateRequest])) refuse(k);
  }
  const hc: HostConfigDto = body.HostConfig ?? {};
  for (const [k, rule] of Object.entries(NOT_APPLIED)) {
    const v = hc[k as keyof HostConfigDto];
    if (rule && !(rule.accept ?? isDefaultValue)(v)) refuse(`HostConfig.${k}`);
  }
  for (const m of hc.Mounts ?? []) {
    if (m.Type === 'image' || m.Type === 'npipe' || m.Type === 'cluster') refuse(`HostConfig.Mounts: type ${m.Type}`);
    if (m.Type !== 'volume' && !isDefaultValue(m.VolumeOptions)) refuse('HostConfig.Mounts.VolumeOptions');
    if (!isDefaultValue(m.VolumeOptions?.Subpath)) refuse('HostConfig.Mounts.VolumeOptions.Subpath');
    if (!isDefaultValue(m.TmpfsOptions?.Options)) refuse('HostConfig.Mounts.TmpfsOptions.Options');
    const bo = m.BindOptions ?? {};
    if (bo.NonRecursive || bo.CreateMountpoint || bo.ReadOnlyNonRecursive || bo.ReadOnlyForceRecursive) refuse('HostConfig.Mounts.BindOptions');
  }
  for (const [name, ep] of Object.entries(body.NetworkingConfig?.EndpointsConfig ?? {})) {
    for (const [k, v] of Object.entries(ep ?? {})) {
      if (k === 'IPAMConfig') {
        for (const [ik, iv] of Object.entries(ep?.IPAMConfig ?? {})) if (ik !== 'IPv4Address' && !isDefaultValue(iv)) refuse(`NetworkingConfig.EndpointsConfig.${name}.IPAMConfig.${ik}`);
      } else if (!APPLIED_ENDPOINT_FIELDS.has(k) && !isDefaultValue(v)) refuse(`NetworkingConfig.EndpointsConfig.${name}.${k}`);
    }
  }
  // berthd has no device drivers (no GPU plugin): what dockerd answers without one, at create.
  const request = (hc.DeviceRequests ?? [])[0];
  if (request) {
    const caps = `[${(request.Capabilities ?? []).map((c) => `[${c.join(' ')}]`).join(' ')}]`;
    refuseWith(`HostConfig.DeviceRequests: could not select device driver ${JSON.stringify(request.Driver ?? '')} with capabilities: ${caps}`);
  }
  if (hc.Isolation !== undefined && hc.Isolation !== null && hc.Isolation !== '' && hc.Isolation !== 'default') {
    throw invalidArgument('INVALID_ISOLATION', `invalid isolation "${hc.Isolation}": linux only supports "default"`);
  }
  if (hc.IOMaximumBandwidth || hc.IOMaximumIOps) {
    throw invalidArgument('INVALID_QOS', 'invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps');
  }
  // dockerd discards these on Linux with a warning (daemon_unix.go verifyPlatformContainerResources).
  const warnings: string[] = [];
  if (hc.CpuPercent) warnings.push('linux does not support CPU percent. Percent discarded.');
  if (hc.CpuCount) warnings.push('linux does not support CPU count. Count discarded.');
  // dockerd keeps HostConfig.Cgroup and never reads it (its cgroup comes from CgroupParent).
  if (hc.Cgroup) warnings.push(`HostConfig.Cgroup ${JSON.stringify(hc.Cgroup)} is not used on Linux (dockerd ignores it too). Discarded.`);
  if (hc.KernelMemory) {
    warnings.push('Specifying a kernel memory limit is deprecated and will be removed in a future release.');
    warnings.push('Your kernel does not support kernel memory limit capabilities or the cgroup is not mounted. Limitation discarded.');
  }
  return warnings;
}
