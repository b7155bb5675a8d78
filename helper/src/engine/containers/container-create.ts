import { checkContainerNetworkMode, isContainerNetworkMode } from './container-netmode';
import { isContainerPidMode, normalizeContainerPidMode } from './container-pidmode';
import { isContainerIpcMode, normalizeContainerIpcMode } from './container-ipcmode';
import type { BindMount, ContainerRecord } from '../../store/containers/container-record';
import { invalidArgument } from '../../lib/errors';
import { mergeRunConfig } from './command-merge';
import { availableParallelism } from 'node:os';
import { actorAttributes, defaultMemorySwap, ensureBindSource, mergeVolumes, parseBinds, resolveImageUser } from './container-helpers';
import { checkMountSources, validateCreate, validateNamespaceModes } from './create-validation';
import { resolveDevices } from '../../runtime/spec/devices';
import { storageOptRefusal } from './storage-opt';
import { blkioOf, deviceRequestOf } from './container-spec';
import { resolveBlkio } from '../../runtime/cgroups/blkio';
import { parseBind } from '../volumes/mount-specs';
import type { ContainerCreateInput, ContainerServiceDeps } from './container-types';
import { validateSecurity } from './security-opts';
import { mergeHealthcheck, validateHealthcheck } from './health-config';
import { mergeLogConfig } from './log-driver';

/**
 * `docker create`: resolves the image, merges its config into the request, creates the RW layer
 * and persists the record. The name is reserved first and released, and the RW layer removed, if
 * anything after fails, so a failed create leaves nothing behind.
 */
export async function createContainer(deps: ContainerServiceDeps, request: ContainerCreateInput): Promise<{ id: string; warnings: string[] }> {
  const { store, images, layers, events } = deps;
  const input: ContainerCreateInput = { ...request, hostConfig: { ...request.hostConfig, logConfig: mergeLogConfig(request.hostConfig.logConfig, deps.logDefaults?.()) } };
  if (input.config.image === '') throw invalidArgument('NO_IMAGE', 'config cannot be empty in order to create a container');
  // As dockerd: the settings are checked before the image is looked up, and nothing is made on failure.
  // Named and anonymous volumes need the volume engine; without one (engine unit tests) only host binds.
  const cliBinds = deps.volumes ? input.hostConfig.binds.map(parseBind) : parseBinds(input.hostConfig.binds);
  if (input.storageOpt !== undefined) throw invalidArgument('STORAGE_OPT_UNSUPPORTED', await storageOptRefusal(deps.store.dir('')));
  validateNamespaceModes(input.config, input.hostConfig);
  if (isContainerIpcMode(input.hostConfig.ipcMode)) input.hostConfig = { ...input.hostConfig, ipcMode: normalizeContainerIpcMode(deps.store, input.hostConfig.ipcMode) };
  if (isContainerPidMode(input.hostConfig.pidMode)) input.hostConfig = { ...input.hostConfig, pidMode: normalizeContainerPidMode(deps.store, input.hostConfig.pidMode) };
  // dockerd's default-cgroupns-mode: private with cgroup v2, host with v1.
  if (input.hostConfig.cgroupnsMode === '') input.hostConfig = { ...input.hostConfig, cgroupnsMode: deps.runtime.info().cgroupVersion === 2 ? 'private' : 'host' };
  const warnings = [...(input.warnings ?? []), ...validateCreate(input.config, input.hostConfig, { ...deps.runtime.info(), ncpu: availableParallelism(), networksChecked: deps.networks !== undefined })];
  if (isContainerNetworkMode(input.hostConfig.networkMode)) {
    input.hostConfig = { ...input.hostConfig, networkMode: checkContainerNetworkMode(deps.store, input.hostConfig, input.config, input.endpoints ?? {}) };
  } else {
    deps.networks?.validate(input.hostConfig.networkMode, input.endpoints ?? {});
  }
  validateLinks(deps, input.hostConfig);
  validateSecurity(input.hostConfig, deps.hostLsm, undefined, deps.securityDefaults?.().userns !== undefined);
  validateHealthcheck(input.config.healthcheck);
  await checkMountSources(input.hostConfig.mounts);
  // The devices must exist now (dockerd finds out at start); they are read again at each start.
  await resolveDevices(input.hostConfig.devices.map(deviceRequestOf));
  await resolveBlkio(blkioOf(input.hostConfig));
  let binds = cliBinds.concat(input.hostConfig.mounts);
  const image = await images.resolve(input.config.image);
  const merged = mergeRunConfig(input.config, image.config);
  const healthcheck = mergeHealthcheck(input.config.healthcheck, image.config.healthcheck);
  const volumesFrom = volumesFromOf(deps, input);
  let createdVolumes: string[] = [];

  const id = store.newId();
  const name = store.reserveName(input.name, id);
  let rwMountId: string | undefined;
  let networksRegistered = false;
  try {
    const t0 = performance.now();
    const rw = await layers.createRw(id, image.topLayer);
    const t1 = performance.now();
    rwMountId = rw.mountId;
    if (deps.volumes) {
      const volumePaths = [...Object.keys(input.config.volumes ?? {}), ...Object.keys(image.config.volumes ?? {})];
      const prepared = await deps.volumes.prepare({ containerId: id, binds: input.hostConfig.binds, mounts: input.hostConfig.mounts, volumePaths, volumesFrom, rootfs: rw });
      binds = prepared.mounts;
      createdVolumes = prepared.created;
    }
    const user = await resolveImageUser(merged.user, [rw.upperDir, ...rw.lowerDirs], input.hostConfig.groupAdd);
    await Promise.all(cliBinds.filter((b) => b.type === 'bind').map((b) => ensureBindSource(b.source)));
    const now = new Date().toISOString();
    const rec: ContainerRecord = {
      id,
      name,
      created: now,
      path: merged.path,
      args: merged.args,
      imageId: image.id,
      config: {
        ...input.config,
        hostname: input.config.hostname !== '' ? input.config.hostname : id.slice(0, 12),
        cmd: merged.cmd,
        entrypoint: merged.entrypoint,
        env: merged.env,
        workingDir: merged.workingDir,
        user: merged.user,
        labels: merged.labels,
        stopSignal: merged.stopSignal,
        // dockerd's Config.Volumes: the image's VOLUMEs merged with the request's.
        volumes: mergeVolumes(input.config.volumes, image.config.volumes),
        exposedPorts: input.config.exposedPorts ?? image.config.exposedPorts ?? undefined,
        onBuild: input.config.onBuild ?? image.config.onBuild ?? null,
        ...(input.config.shell ? { shell: input.config.shell } : {}),
        ...(healthcheck ? { healthcheck } : {}),
      },
      hostConfig: { ...input.hostConfig, mounts: binds, memorySwap: defaultMemorySwap(input.hostConfig, deps.runtime.info().swapLimit) },
      state: { status: 'created', pid: 0, exitCode: 0, oomKilled: false, error: '', startedAt: null, finishedAt: null },
      rootfs: { mountId: rw.mountId, lowerDirs: rw.lowerDirs, upperDir: rw.upperDir, workDir: rw.workDir, mergedDir: rw.mergedDir, mountOptions: rw.mountOptions, mountCwd: rw.mountCwd },
      user,
      execIds: [],
      restartCount: 0,
    };
    if (!isContainerNetworkMode(rec.hostConfig.networkMode)) await deps.networks?.register(id, rec.hostConfig.networkMode, input.endpoints ?? {});
    networksRegistered = true;
    await store.create(rec);
    deps.log.debug({ id, rwLayerMs: t1 - t0, restMs: performance.now() - t1 }, 'container created');
    events.publish('container', 'create', id, actorAttributes(rec));
    return { id, warnings };
  } catch (err) {
    store.releaseName(name);
    if (networksRegistered) await deps.networks?.forget(id).catch(() => undefined);
    await deps.volumes?.discard(createdVolumes);
    if (rwMountId !== undefined) await layers.removeRw(id).catch((e: unknown) => deps.log.warn({ err: e, id }, 'cannot remove rw layer after failed create'));
    throw err;
  }
}

/** `--volumes-from <container>[:ro|:rw]`: the other container's mounts, resolved now. */
function volumesFromOf(deps: ContainerServiceDeps, input: ContainerCreateInput): { mounts: BindMount[]; mode: '' | 'ro' | 'rw' }[] {
  return (input.hostConfig.volumesFrom ?? []).map((spec) => {
    const [ref = '', mode = ''] = spec.split(':');
    if (mode !== '' && mode !== 'ro' && mode !== 'rw') throw invalidArgument('INVALID_VOLUMES_FROM', `invalid mode for volumes-from: ${mode}`);
    return { mounts: deps.store.get(ref).hostConfig.mounts, mode };
  });
}

/**
 * HostConfig.Links: on a user network (what compose uses) the alias resolves, for this container
 * only, to the linked container through the embedded DNS, as dockerd does there. The default
 * bridge's legacy links (hosts entries and *_PORT_* variables) are not implemented: refused.
 */
function validateLinks(deps: ContainerServiceDeps, hc: ContainerCreateInput['hostConfig']): void {
  const links = hc.links ?? [];
  if (links.length === 0) return;
  const mode = hc.networkMode;
  if (!deps.networks || mode === '' || mode === 'default' || mode === 'bridge' || mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
    throw invalidArgument('LINKS_UNSUPPORTED', 'HostConfig.Links: legacy links on the default bridge are not supported by berthd; use a user-defined network, where containers resolve each other by name');
  }
  for (const l of links) {
    const target = l.slice(0, l.indexOf(':'));
    if (!deps.store.find(target)) throw invalidArgument('LINK_TARGET_MISSING', `could not get container for ${target}`);
  }
}
