import { readFile } from 'node:fs/promises';
import { getgrnam } from './platform/groups';
import { ApiServer, SocketInUseError } from './api/server';
import { Router } from './api/router';
import { systemRoutes } from './api/routes/system';
import { berthConfigRoutes } from './api/routes/berth-config';
import { authRoutes } from './api/routes/auth';
import { imagePushRoutes } from './api/routes/image-push';
import { PushService } from './engine/images/push-service';
import { EXPORT_XATTRS } from './store/layers/layer-tar-writer';
import { XattrReader } from './platform/xattr-reader';
import { LoginService } from './engine/auth/login-service';
import { HttpTransport } from './registry/http-transport';
import { ConfigStore } from './config/config-store';
import { ConfigValidationError } from './config/daemon-config-parse';
import { checkMirrors } from './config/mirror-health';
import { ConfigService } from './engine/config/config-service';
import { SystemService } from './engine/system/system-service';
import { USAGE, UsageError, parseDaemonOptions, type DaemonOptions } from './lib/config';
import { createLogger } from './lib/logger';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { RegistryClient } from './registry/registry-client';
import { ContentStore } from './store/content/content-store';
import { secureDataRoot } from './store/data-root';
import { LayerStore } from './store/layers/layer-store';
import { ImageStore } from './store/images/image-store';
import { ImageService } from './engine/images/image-service';
import { imageRoutes } from './api/routes/images';
import { LayerWorkerPool } from './engine/images/layer-worker-pool';
import { totalmem } from 'node:os';
import { containerDiskUsageRows, containerRoutes } from './api/routes/containers';
import { execRoutes } from './api/routes/exec';
import { buildContainersFrom, buildRoutes } from './api/routes/build';
import { toBuildCacheDto } from './api/dto/build-dto';
import { BuildService, builderDir } from './engine/build/build-service';
import { eventRoutes } from './api/routes/events';
import { EmbeddedDns } from './engine/networks/embedded-dns';
import { hostNameservers } from './runtime/spec/etc-files';
import { SocketPortReserver } from './engine/networks/port-reserver';
import { RootfsGate } from './engine/containers/rootfs-gate';
import { ContainerService } from './engine/containers/container-service';
import { loadSecurityDefaults, securityOptionsInfo, type SecurityDefaults } from './engine/containers/security-opts';
import { installAppArmorProfile } from './platform/apparmor';
import { checkDataRootIdmapSupport } from './platform/userns-support';
import { resolveUsernsRemap } from './config/userns-remap';
import type { UsernsMaps } from './runtime/runtime';
import { DEFAULT_APPARMOR_PROFILE, defaultAppArmorProfile } from './runtime/spec/apparmor/default-profile';
import { detectHostLsm } from './platform/lsm';
import { imageSourceFrom } from './engine/containers/image-adapter';
import { layerSourceFrom } from './engine/containers/layer-adapter';
import { EventsService } from './engine/events/events-service';
import { ExecService } from './engine/exec/exec-service';
import { ContainerStore } from './store/containers/container-store';
import { createCgroupManager } from './runtime/cgroups/cgroup-factory';
import { LinuxRuntime } from './runtime/shim/linux-runtime';
import { locateNativeBinaries } from './runtime/shim/native-paths';
import { SpawnShimLauncher } from './runtime/shim/shim-launcher';
import { ContainerDataService } from './engine/container-data/container-data-service';
import { containerDataRoutes } from './api/routes/container-data';
import { VolumeStore } from './store/volumes/volume-store';
import { VolumeService } from './engine/volumes/volume-service';
import { ContainerVolumes } from './engine/volumes/container-volumes';
import { LinuxHostMounter } from './platform/host-mounts';
import { volumeRoutes } from './api/routes/volumes';
import { networkRoutes, swarmRoutes } from './api/routes/networks';
import { DEFAULT_BRIDGE, NetworkService } from './engine/networks/network-service';
import { NetworkStore } from './engine/networks/network-store';
import { LinuxHostNet } from './engine/networks/linux-net';
import { toVolumeDto } from './api/dto/volumes-dto';
import { imageArchiveRoutes } from './api/routes/image-archive';

/** Composition root: options -> platform -> stores -> engine -> API server. */
async function main(): Promise<number> {
  let options: DaemonOptions | 'help';
  try {
    options = parseDaemonOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`berthd: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = createLogger(options.logLevel);

  // Like dockerd, refuse to start on an invalid daemon.json rather than run with a policy the user did not write.
  let config: ConfigStore;
  try {
    config = await ConfigStore.open(options.configFile, log);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`berthd: invalid config ${options.configFile}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const applyDebug = (debug: boolean): void => {
    log.level = debug ? 'debug' : options.logLevel;
  };
  applyDebug(config.current().debug);
  config.onChange((next) => applyDebug(next.debug));
  // SIGHUP re-reads daemon.json (dockerd's reload); a broken file is logged and the old config stays.
  process.on('SIGHUP', () => void config.reload());

  // Before any store touches it: dockerd's 0710 layout, and an older, looser data root tightened.
  await secureDataRoot(options.dataRoot, log);
  // daemon.json's seccomp-profile / no-new-privileges: an unreadable profile stops the start, as in dockerd.
  let securityDefaults: SecurityDefaults;
  try {
    securityDefaults = await loadSecurityDefaults(config.current());
  } catch (err) {
    process.stderr.write(`berthd: ${(err as Error).message}\n`);
    return 1;
  }
  config.onChange((next) => {
    loadSecurityDefaults(next).then(
      (d) => {
        securityDefaults = withAppArmor(d);
      },
      (err: unknown) => log.error({ err }, 'seccomp-profile not reloaded; the previous profile stays in force'),
    );
  });
  // daemon.json's userns-remap, resolved once (dockerd reads it at start only): a bad value, a user
  // without ranges or a kernel without idmapped overlay layers stops the start with the reason.
  let userns: UsernsMaps | undefined;
  const remapAsked = config.current().usernsRemap;
  if (remapAsked !== undefined) {
    try {
      await checkDataRootIdmapSupport(options.dataRoot);
      const remap = await resolveUsernsRemap(remapAsked);
      userns = { uidMap: remap.uidMap, gidMap: remap.gidMap };
      log.info({ uidMap: userns.uidMap, gidMap: userns.gidMap }, 'user namespace remapping enabled');
    } catch (err) {
      process.stderr.write(`berthd: ${(err as Error).message}\n`);
      return 1;
    }
  }
  config.onChange((next) => {
    if (next.usernsRemap !== remapAsked) log.warn('userns-remap changed in daemon.json: it applies only when berthd restarts (as in dockerd)');
  });
  const hostLsm = await detectHostLsm();
  // As dockerd with docker-default: where AppArmor is on, containers run under berth-default. A
  // host that cannot load it runs containers unconfined, says so here and in /info (no apparmor).
  let apparmorProfile: string | undefined;
  if (hostLsm.apparmor) {
    try {
      apparmorProfile = await installAppArmorProfile(options.dataRoot, DEFAULT_APPARMOR_PROFILE, defaultAppArmorProfile());
    } catch (err) {
      log.warn({ err }, 'AppArmor is enabled but berth-default could not be loaded: containers run without an AppArmor profile');
    }
  }
  const withAppArmor = (d: SecurityDefaults): SecurityDefaults => ({ ...d, ...(apparmorProfile !== undefined ? { apparmorProfile } : {}), ...(userns ? { userns } : {}) });
  securityDefaults = withAppArmor(securityDefaults);
  // One keep-alive transport for every registry conversation (pull, push, login).
  const registryTransport = new HttpTransport();
  // Native helpers are built next to the bundle: helper/dist/berthd.mjs -> helper/native/build/.
  const nativeDir = fileURLToPath(new URL('../native/build/', import.meta.url));
  const layerStore = new LayerStore({ dataRoot: options.dataRoot, fsutilBinary: join(nativeDir, 'berth-fsutil'), log });
  // Layer downloads run on worker threads (bundled beside this file) so pulls use every core.
  const layerWorkers = new LayerWorkerPool(fileURLToPath(new URL('./layer-worker.mjs', import.meta.url)), log.child({ module: 'layer-workers' }));
  const contentStore = new ContentStore(join(options.dataRoot, 'content'));
  const imageStore = new ImageStore(options.dataRoot, log);
  const registryClient = new RegistryClient(registryTransport);
  const imageService = new ImageService({
    config,
    registry: registryClient,
    content: contentStore,
    layers: layerStore,
    images: imageStore,
    log: log.child({ module: 'images' }),
    layerWorkers,
    openXattrs: (root) => new XattrReader(join(nativeDir, 'berth-getxattr'), root, EXPORT_XATTRS),
    tempDir: join(options.dataRoot, 'tmp'),
    // `events` is created below; events are only published once requests flow.
    publishEvent: (action, actorId, attributes) => events.publish('image', action, actorId, attributes),
  });
  await imageService.init();
  const pushService = new PushService({
    config,
    registry: registryClient,
    content: contentStore,
    layers: layerStore,
    images: imageStore,
    openXattrs: (root) => new XattrReader(join(nativeDir, 'berth-getxattr'), root, EXPORT_XATTRS),
    tempDir: join(options.dataRoot, 'tmp'),
    log: log.child({ module: 'push' }),
    // dockerd's `image push` event; `events` is created below and only called once requests flow.
    publishEvent: (action, ref) => events.publish('image', action, ref, { name: ref }),
  });
  const events = new EventsService();
  const native = locateNativeBinaries(fileURLToPath(new URL('.', import.meta.url)));
  const runtime = new LinuxRuntime({ launcher: new SpawnShimLauncher(native.shim), initBinary: native.init, cgroups: await createCgroupManager({ deviceFilterBinary: native.devfilter }), log });
  const volumeStore = new VolumeStore(join(options.dataRoot, 'volumes'));
  await volumeStore.load();
  const hostMounter = new LinuxHostMounter();
  const volumes = new VolumeService({ store: volumeStore, events, mounter: hostMounter, log: log.child({ module: 'volumes' }) });
  const containerStore = new ContainerStore(join(options.dataRoot, 'containers'));
  // The network engine and the container engine call each other: late-bound through `late`.
  const late: { containers?: ContainerService; execs?: ExecService } = {};
  const networks: NetworkService = new NetworkService({
    store: new NetworkStore(join(options.dataRoot, 'network')),
    host: new LinuxHostNet(),
    events,
    log: log.child({ module: 'networks' }),
    defaultBridge: options.bridge ?? config.current().bridge ?? DEFAULT_BRIDGE,
    runningPid: (id) => (late.containers?.isRunning(id) === true ? late.containers.runningProcess(id).process.pid : undefined),
    containerName: (id) => containerStore.find(id)?.name,
    containerHostname: (id) => containerStore.find(id)?.config.hostname,
    portReserver: new SocketPortReserver(),
    networkMode: (id) => containerStore.find(id)?.hostConfig.networkMode,
    links: (id) =>
      (containerStore.find(id)?.hostConfig.links ?? []).flatMap((l) => {
        const [target = '', alias = ''] = l.split(':');
        const rec = containerStore.find(target);
        return rec ? [{ alias, target: rec.id }] : [];
      }),
    dns: new EmbeddedDns({
      log: log.child({ module: 'dns' }),
      directory: {
        clientOf: (serverIp, clientIp) => networks.dnsClientOf(serverIp, clientIp),
        lookup: (containerId, name) => networks.dnsLookup(containerId, name),
        reverse: (containerId, ip) => networks.dnsReverse(containerId, ip),
        upstreams: async (containerId) => {
          const own = containerStore.find(containerId)?.hostConfig.dns ?? [];
          return own.length > 0 ? own : hostNameservers(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
        },
      },
    }),
  });
  await networks.init();
  const rootfsGate = new RootfsGate();
  const containers = new ContainerService({
    store: containerStore,
    rootfsGate,
    networks,
    volumes: new ContainerVolumes(volumes, hostMounter, log.child({ module: 'volumes' })),
    runtime,
    images: imageSourceFrom(imageService),
    layers: layerSourceFrom(layerStore),
    events,
    log: log.child({ module: 'containers' }),
    hostLsm,
    securityDefaults: () => securityDefaults,
    logDefaults: () => ({ type: config.current().logDriver ?? 'json-file', config: config.current().logOpts ?? {} }),
    // Healthcheck probes are execs; the exec engine is made below, before any probe is due.
    healthProber: () => late.execs && ((id, cmd, timeoutMs) => late.execs?.probe(id, cmd, timeoutMs) ?? Promise.reject(new Error('exec engine not ready'))),
  });
  // Before serving: reattach to the monitors of containers that kept running while berthd was down.
  late.containers = containers;
  await containers.recover();
  await networks.reconcile();
  volumes.setUsers((name) => containers.volumeUsers(name));
  imageService.setImageUsageChecker(async (imageId) => containers.imageUsers(imageId).map((u) => ({ containerId: u.id, running: u.running })));
  const containerData = new ContainerDataService({
    record: async (ref) => (await containers.inspect(ref)).record,
    isRunning: (id) => containers.isRunning(id),
    commitLayer: (input, target) => imageService.commitLayer(input, target),
    pauser: {
      pause: async (id) => {
        if ((await containers.inspect(id)).record.state.status === 'paused') return false;
        await containers.pause(id);
        return true;
      },
      unpause: (id) => containers.unpause(id),
    },
    openXattrs: (root) => new XattrReader(join(nativeDir, 'berth-getxattr'), root, EXPORT_XATTRS),
    publishEvent: (action, id, attributes) => events.publish('container', action, id, attributes),
    cfsBinary: join(nativeDir, 'berth-cfs'),
    runningPid: (id) => (containers.isRunning(id) ? containers.runningProcess(id).process.pid : undefined),
    rootfsGate,
  });
  const builds = new BuildService({
    images: imageService,
    imageStore,
    layers: layerStore,
    containers: buildContainersFrom(containers),
    openXattrs: (root) => new XattrReader(join(nativeDir, 'berth-getxattr'), root, EXPORT_XATTRS),
    tmpDir: join(options.dataRoot, 'tmp'),
    cacheDir: builderDir(options.dataRoot),
    log: log.child({ module: 'build' }),
  });
  await builds.init();
  const execs = new ExecService(containers, events, log.child({ module: 'exec' }));
  late.execs = execs;
  const system = new SystemService({ images: async () => imageService.count(), containers: () => containers.counts(), securityOptions: () => securityOptionsInfo(config.current(), apparmorProfile !== undefined, userns !== undefined),
    cgroups: () => ({ version: runtime.info().cgroupVersion, driver: runtime.info().cgroupDriver }),
    dataRoot: options.dataRoot,
    defaultBridge: () => networks.defaultBridgeInfo(),
  });
  const router = new Router([
    systemRoutes(system, config),
    berthConfigRoutes(new ConfigService(config, checkMirrors)),
    authRoutes(new LoginService(registryTransport, config)),
    imageArchiveRoutes(imageService),
    imageRoutes(imageService, {
      containerDiskUsage: containerDiskUsageRows(containers),
      volumeDiskUsage: async () => (await volumes.list(new Map(), true)).map(toVolumeDto),
      buildCacheUsage: () => builds.diskUsage().map(toBuildCacheDto),
    }),
    volumeRoutes(volumes),
    networkRoutes(networks, (ref) => containerStore.get(ref).id, (id) => containerStore.find(id)?.name),
    swarmRoutes(),
    buildRoutes(builds),
    imagePushRoutes(pushService),
    containerDataRoutes(containerData),
    containerRoutes(containers, { memTotal: totalmem }),
    execRoutes(execs),
    eventRoutes(events),
  ]);
  const socketGid = await getgrnam(options.group);
  if (socketGid === undefined) log.warn({ group: options.group }, `group "${options.group}" does not exist: the socket is root-only (0600); scripts/setup.sh creates it`);
  const server = new ApiServer({ socketPath: options.socket, socketGid, router, log });

  try {
    await server.listen();
  } catch (err) {
    if (err instanceof SocketInUseError) {
      process.stderr.write(`berthd: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  log.info({ socket: options.socket, dataRoot: options.dataRoot, pid: process.pid }, 'berthd listening');
  process.stdout.write(`berthd: listening on unix://${options.socket}\n`);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await server.close();
  await containers.close();
  registryTransport.close();
  layerWorkers.close();
  // Containers live on in their monitors; a handle nobody owns (a client's half-closed stream, a
  // pending registry socket) must not keep a stopped daemon around.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`berthd: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
