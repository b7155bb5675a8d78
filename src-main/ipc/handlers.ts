import { z } from 'zod';
import type { ContractHandlers, StreamSink } from './dispatcher';
import type { StreamChannel } from '../../src-shared/ipc/contract';
import type { AppServices } from '../services/app-services';
import { AppError } from '../lib/app-error';
import { TRANSFER_LIMIT } from '../services/container-data-service';

/** Renderer input is untrusted in web mode: check shapes at the edge, cheaply. */
function check<T>(schema: z.ZodType<T>, value: unknown, channel: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new AppError('InvalidArgument', 'INVALID_ARGS', `${channel}: ${issue?.path.join('.') || 'args'} ${issue?.message ?? 'invalid'}`);
}

const hostId = z.string().min(1);
const Host = z.object({ hostId });
const Container = z.object({ hostId, id: z.string().min(1) });
// Compose v2 allows lowercase letters, digits, `-` and `_`; labels set by hand may be looser, so only refuse what cannot be a name.
const Stack = z.object({ hostId, project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a compose project name') });
const ComposeUpSchema = z
  .object({
    hostId,
    file: z.string().min(1).refine((f) => f.startsWith('/'), 'must be an absolute path'),
    // What compose itself accepts as a project name (lowercase letters, digits, `-` and `_`).
    project: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a compose project name: lowercase letters, digits, - and _'),
    build: z.boolean().optional(),
  })
  .strict();
const Timeout = z.number().int().min(-1).optional();
const Image = z.object({ hostId, ref: z.string().min(1).refine((r) => !/[?#\s]/.test(r), 'must be an image reference') });
const VolumeName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'must be a volume name');
const NetworkName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be a network name');
const Ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'must be an IPv4 address');
const Cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 subnet such as 10.5.0.0/16');
const PortNumber = z.number().int().min(1).max(65535);
const VolumePath = z.string().startsWith('/', 'must be absolute inside the volume');
const Auth = z.object({ username: z.string(), password: z.string(), serveraddress: z.string().optional() }).optional();
const StrList = z.array(z.string());
const RunSpecSchema = z.object({
  image: z.string().min(1),
  name: z.string().optional(),
  cmd: StrList.optional(),
  entrypoint: StrList.optional(),
  env: z.array(z.string().regex(/^[^=]+=?/, 'must be KEY=value')).optional(),
  memoryBytes: z.number().nonnegative().optional(),
  cpus: z.number().nonnegative().optional(),
  pidsLimit: z.number().int().optional(),
  tty: z.boolean().optional(),
  openStdin: z.boolean().optional(),
  init: z.boolean().optional(),
  autoRemove: z.boolean().optional(),
  network: z.string().regex(/^(default|none|host|[a-zA-Z0-9][a-zA-Z0-9_.-]*)$/, 'must be default, none, host or a network name').optional(),
  aliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be a host name')).optional(),
  ports: z
    .array(z.object({ hostIp: z.union([z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/), z.literal('')]), hostPort: z.number().int().min(0).max(65535), containerPort: z.number().int().min(1).max(65535), proto: z.enum(['tcp', 'udp']) }))
    .optional(),
  publishAll: z.boolean().optional(),
  binds: StrList.optional(),
  workingDir: z.string().optional(),
  user: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  restartPolicy: z
    .object({ name: z.enum(['no', 'always', 'unless-stopped', 'on-failure']), maximumRetryCount: z.number().int().nonnegative().optional() })
    .refine((p) => p.maximumRetryCount === undefined || p.name === 'on-failure', 'maximumRetryCount only applies to on-failure')
    .optional(),
  healthcheck: z
    .object({
      command: z.string().min(1),
      intervalSeconds: z.number().positive().optional(),
      timeoutSeconds: z.number().positive().optional(),
      retries: z.number().int().positive().optional(),
      startPeriodSeconds: z.number().nonnegative().optional(),
    })
    .optional(),
  logRotation: z.object({ maxSize: z.string().regex(/^\d+[kmg]?$/i, 'must be a size such as 10m'), maxFile: z.number().int().min(1) }).optional(),
});
const RestartPolicySchema = z
  .object({ name: z.enum(['no', 'always', 'unless-stopped', 'on-failure']), maximumRetryCount: z.number().int().nonnegative().optional() })
  .refine((p) => p.maximumRetryCount === undefined || p.name === 'on-failure', 'maximumRetryCount only applies to on-failure');
const ContainerUpdateSchema = z
  .object({ memoryBytes: z.number().nonnegative().optional(), cpus: z.number().nonnegative().optional(), pidsLimit: z.number().int().min(-1).optional(), restartPolicy: RestartPolicySchema.optional() })
  .strict();
const MirrorsUpdateSchema = z.union([
  z.object({ raw: z.string() }),
  z.object({ registryMirrors: StrList, mirrors: z.record(z.string(), StrList).optional(), insecureRegistries: StrList.optional() }),
]);
const MachineName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'must be lowercase letters, digits and -');
const MachineCreate = z.object({
  name: MachineName,
  cpus: z.number().int().min(1).max(64).optional(),
  memoryMiB: z.number().int().min(512).optional(),
  diskGiB: z.number().int().min(1).optional(),
  shareHome: z.string().startsWith('/').nullable().optional(),
});
const TerminalArgs = z.object({
  hostId,
  containerId: z.string().min(1),
  mode: z.enum(['auto', 'attach', 'exec']).optional(),
  command: StrList.min(1).optional(),
  cols: z.number().int().min(1).max(1000),
  rows: z.number().int().min(1).max(1000),
});
const AbsPath = z.string().startsWith('/', 'must be an absolute path on the host');
const ProvisionTarget = z.object({ prefix: AbsPath.optional(), dataRoot: AbsPath.optional(), config: AbsPath.optional(), noSystemd: z.boolean().optional() }).strict().optional();
const ProvisionArgsSchema = z
  .object({ hostId, action: z.enum(['install', 'upgrade', 'uninstall', 'install-node']), target: ProvisionTarget, sudoPassword: z.string().optional(), keepData: z.boolean().optional() })
  .strict();
const BuildArgsSchema = z
  .object({
    hostId,
    contextPath: AbsPath,
    dockerfile: z.string().min(1).optional(),
    tags: z.array(z.string().min(1).refine((r) => !/[\s?#]/.test(r), 'must be an image reference')).optional(),
    buildArgs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a build-arg name'), z.string()).optional(),
    target: z.string().min(1).optional(),
    noCache: z.boolean().optional(),
    pull: z.boolean().optional(),
  })
  .strict();
const LogsArgsSchema = z.object({
  hostId,
  id: z.string().min(1),
  follow: z.boolean(),
  tail: z.number().int().nonnegative().optional(),
  timestamps: z.boolean().optional(),
  since: z.number().nonnegative().optional(),
});

/** Runs a stream to completion: ends the sink with the promise's outcome (unless the client closed it). */
function run<C extends StreamChannel>(sink: StreamSink<C>, work: Promise<unknown>): void {
  work.then(
    () => sink.end(),
    (err: unknown) => sink.end(sink.signal.aborted ? undefined : err),
  );
}

/** Maps every contract channel to a service call; one table for Electron and web mode alike. */
export function createContractHandlers(s: AppServices): ContractHandlers {
  return {
    invoke: {
      'app:info': () => s.app.info(),
      'builds:list': (a) => s.builds.list(check(z.object({ hostId: hostId.optional() }), a, 'builds:list').hostId),

      'hosts:list': () => s.hosts.list(),
      'hosts:statuses': () => s.hosts.statuses(),
      'hosts:add': (a) => s.hosts.add(a),
      'hosts:update': (a) => s.hosts.update(check(z.object({ hostId }).passthrough(), a, 'hosts:update') as typeof a),
      'hosts:remove': (a) => s.hosts.remove(check(Host, a, 'hosts:remove').hostId),
      'hosts:connect': (a) => {
        const v = check(z.object({ hostId, passphrase: z.string().optional(), savePassphrase: z.boolean().optional() }), a, 'hosts:connect');
        return s.hosts.connect(v.hostId, v.passphrase, v.savePassphrase);
      },
      'hosts:disconnect': (a) => s.hosts.disconnect(check(Host, a, 'hosts:disconnect').hostId),
      'hosts:acceptHostKey': (a) => {
        const v = check(z.object({ hostId, fingerprint: z.string().startsWith('SHA256:') }), a, 'hosts:acceptHostKey');
        return s.hosts.acceptHostKey(v.hostId, v.fingerprint);
      },
      'hosts:provisionCheck': (a) => {
        const v = check(z.object({ hostId, target: ProvisionTarget }), a, 'hosts:provisionCheck');
        return s.provisioning.check(v.hostId, v.target);
      },

      'system:info': (a) => s.system.info(check(Host, a, 'system:info').hostId),
      'system:df': (a) => s.system.diskUsage(check(Host, a, 'system:df').hostId),
      'builds:prune': (a) => s.builds.pruneCache(check(Host, a, 'builds:prune').hostId),

      'containers:list': (a) => {
        const v = check(z.object({ hostId, all: z.boolean().optional() }), a, 'containers:list');
        return s.containers.list(v.hostId, v.all ?? true);
      },
      'containers:inspect': (a) => {
        const v = check(Container, a, 'containers:inspect');
        return s.containers.inspect(v.hostId, v.id);
      },
      'containers:run': (a) => {
        const v = check(z.object({ hostId, spec: RunSpecSchema, start: z.boolean().optional() }), a, 'containers:run');
        return s.containers.run(v.hostId, v.spec, v.start ?? true);
      },
      'containers:start': (a) => {
        const v = check(Container, a, 'containers:start');
        return s.containers.start(v.hostId, v.id);
      },
      'containers:stop': (a) => {
        const v = check(Container.extend({ timeoutSeconds: z.number().int().min(-1).optional() }), a, 'containers:stop');
        return s.containers.stop(v.hostId, v.id, v.timeoutSeconds);
      },
      'containers:restart': (a) => {
        const v = check(Container.extend({ timeoutSeconds: z.number().int().min(-1).optional() }), a, 'containers:restart');
        return s.containers.restart(v.hostId, v.id, v.timeoutSeconds);
      },
      'containers:kill': (a) => {
        const v = check(Container.extend({ signal: z.string().regex(/^[A-Z0-9+-]+$/i).optional() }), a, 'containers:kill');
        return s.containers.kill(v.hostId, v.id, v.signal);
      },
      'containers:pause': (a) => {
        const v = check(Container, a, 'containers:pause');
        return s.containers.pause(v.hostId, v.id);
      },
      'containers:unpause': (a) => {
        const v = check(Container, a, 'containers:unpause');
        return s.containers.unpause(v.hostId, v.id);
      },
      'containers:rename': (a) => {
        const v = check(Container.extend({ name: z.string().regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be a container name') }), a, 'containers:rename');
        return s.containers.rename(v.hostId, v.id, v.name.replace(/^\//, ''));
      },
      'containers:update': (a) => {
        const v = check(Container.extend({ update: ContainerUpdateSchema }), a, 'containers:update');
        return s.containers.update(v.hostId, v.id, v.update);
      },
      'containers:remove': (a) => {
        const v = check(Container.extend({ force: z.boolean().optional(), volumes: z.boolean().optional() }), a, 'containers:remove');
        return s.containers.remove(v.hostId, v.id, v.force, v.volumes);
      },
      'containers:prune': (a) => s.containers.prune(check(Host, a, 'containers:prune').hostId),
      'containers:processes': (a) => {
        const v = check(Container, a, 'containers:processes');
        return s.containers.processes(v.hostId, v.id);
      },

      'containers:files': (a) => {
        const v = check(Container.extend({ path: z.string().min(1) }), a, 'containers:files');
        return s.containerData.list(v.hostId, v.id, v.path);
      },
      'containers:file-text': (a) => {
        const v = check(Container.extend({ path: z.string().min(1) }), a, 'containers:file-text');
        return s.containerData.readText(v.hostId, v.id, v.path);
      },
      'containers:download': (a) => {
        const v = check(Container.extend({ path: z.string().min(1), dir: z.boolean() }), a, 'containers:download');
        return s.containerData.download(v.hostId, v.id, v.path, v.dir);
      },
      'containers:upload': (a) => {
        const v = check(Container.extend({ dir: z.string().min(1), name: z.string().min(1), base64: z.string().max(Math.ceil((TRANSFER_LIMIT * 4) / 3) + 4) }), a, 'containers:upload');
        return s.containerData.upload(v.hostId, v.id, v.dir, v.name, v.base64);
      },
      'containers:commit': (a) => {
        const v = check(Container.extend({ repo: z.string().optional(), tag: z.string().optional(), comment: z.string().optional(), author: z.string().optional() }), a, 'containers:commit');
        return s.containerData.commit(v.hostId, v.id, { ...(v.repo ? { repo: v.repo } : {}), ...(v.tag ? { tag: v.tag } : {}), ...(v.comment ? { comment: v.comment } : {}), ...(v.author ? { author: v.author } : {}) });
      },

      'stacks:start': (a) => {
        const v = check(Stack, a, 'stacks:start');
        return s.stacks.start(v.hostId, v.project);
      },
      'stacks:stop': (a) => {
        const v = check(Stack.extend({ timeoutSeconds: Timeout }), a, 'stacks:stop');
        return s.stacks.stop(v.hostId, v.project, v.timeoutSeconds);
      },
      'stacks:restart': (a) => {
        const v = check(Stack.extend({ timeoutSeconds: Timeout }), a, 'stacks:restart');
        return s.stacks.restart(v.hostId, v.project, v.timeoutSeconds);
      },
      'stacks:remove': (a) => {
        const v = check(Stack, a, 'stacks:remove');
        return s.stacks.remove(v.hostId, v.project);
      },
      'stacks:resources': (a) => {
        const v = check(Stack, a, 'stacks:resources');
        return s.stacks.resources(v.hostId, v.project);
      },

      'images:list': (a) => s.images.list(check(Host, a, 'images:list').hostId),
      'images:inspect': (a) => {
        const v = check(Image, a, 'images:inspect');
        return s.images.inspect(v.hostId, v.ref);
      },
      'images:history': (a) => {
        const v = check(Image, a, 'images:history');
        return s.images.history(v.hostId, v.ref);
      },
      'images:layers': (a) => {
        const v = check(Image, a, 'images:layers');
        return s.images.layers(v.hostId, v.ref);
      },
      'images:tag': (a) => {
        const v = check(Image.extend({ repo: z.string().min(1), tag: z.string().min(1).optional() }), a, 'images:tag');
        return s.images.tag(v.hostId, v.ref, v.repo, v.tag);
      },
      'images:remove': (a) => {
        const v = check(Image.extend({ force: z.boolean().optional(), noPrune: z.boolean().optional() }), a, 'images:remove');
        return s.images.remove(v.hostId, v.ref, v.force, v.noPrune);
      },
      'images:prune': (a) => {
        const v = check(Host.extend({ all: z.boolean().optional() }), a, 'images:prune');
        return s.images.prune(v.hostId, v.all);
      },
      'networks:list': (a) => s.networks.list(check(Host, a, 'networks:list').hostId),
      'networks:create': (a) => {
        const v = check(
          Host.extend({
            name: NetworkName,
            driver: z.enum(['bridge']).optional(),
            subnet: Cidr.optional(),
            gateway: Ipv4.optional(),
            ipRange: Cidr.optional(),
            internal: z.boolean().optional(),
            labels: z.record(z.string(), z.string()).optional(),
          }).strict(),
          a,
          'networks:create',
        );
        return s.networks.create(v);
      },
      'networks:remove': (a) => {
        const v = check(Host.extend({ id: z.string().min(1) }), a, 'networks:remove');
        return s.networks.remove(v.hostId, v.id);
      },
      'networks:prune': (a) => s.networks.prune(check(Host, a, 'networks:prune').hostId),
      'ports:check': (a) => {
        const v = check(Host.extend({ ports: z.array(z.object({ port: PortNumber, proto: z.enum(['tcp', 'udp']), ip: z.union([Ipv4, z.literal('')]) })).max(64) }), a, 'ports:check');
        return s.networks.checkPorts(v.hostId, v.ports);
      },
      'ports:open': (a) => {
        const v = check(Host.extend({ port: PortNumber, ip: z.union([Ipv4, z.literal('')]).optional() }), a, 'ports:open');
        return s.portTunnels.open(v.hostId, v.port, v.ip);
      },
      'volumes:list': (a) => s.volumes.list(check(Host, a, 'volumes:list').hostId),
      'volumes:create': (a) => {
        const v = check(
          Host.extend({ name: VolumeName.or(z.literal('')).optional(), labels: z.record(z.string(), z.string()).optional(), driverOpts: z.record(z.string(), z.string()).optional() }),
          a,
          'volumes:create',
        );
        return s.volumes.create(v);
      },
      'volumes:remove': (a) => {
        const v = check(Host.extend({ name: VolumeName, force: z.boolean().optional() }), a, 'volumes:remove');
        return s.volumes.remove(v.hostId, v.name, v.force);
      },
      'volumes:prune': (a) => {
        const v = check(Host.extend({ all: z.boolean().optional() }), a, 'volumes:prune');
        return s.volumes.prune(v.hostId, v.all);
      },
      'volumes:files': (a) => {
        const v = check(Host.extend({ name: VolumeName, path: VolumePath }), a, 'volumes:files');
        return s.volumes.files(v.hostId, v.name, v.path);
      },
      'volumes:read': (a) => {
        const v = check(Host.extend({ name: VolumeName, path: VolumePath }), a, 'volumes:read');
        return s.volumes.read(v.hostId, v.name, v.path);
      },

      'images:save': (a) => {
        const v = check(Host.extend({ refs: z.array(z.string().min(1)).min(1) }), a, 'images:save');
        return s.containerData.saveImages(v.hostId, v.refs);
      },
      'images:load': (a) => {
        const v = check(Host.extend({ base64: z.string().min(1).max(Math.ceil((TRANSFER_LIMIT * 4) / 3) + 4) }), a, 'images:load');
        return s.containerData.loadImages(v.hostId, v.base64);
      },

      'mirrors:get': (a) => s.mirrors.get(check(Host, a, 'mirrors:get').hostId),
      'mirrors:validate': (a) => {
        const v = check(Host.extend({ update: MirrorsUpdateSchema }), a, 'mirrors:validate');
        return s.mirrors.validate(v.hostId, v.update);
      },
      'mirrors:apply': (a) => {
        const v = check(Host.extend({ update: MirrorsUpdateSchema }), a, 'mirrors:apply');
        return s.mirrors.apply(v.hostId, v.update);
      },
      'mirrors:health': (a) => s.mirrors.health(check(Host, a, 'mirrors:health').hostId),
      'machines:list': () => s.machines.list(),
      'machines:stop': (a) => s.machines.stop(check(z.object({ name: MachineName }), a, 'machines:stop').name),
      'machines:remove': (a) => s.machines.remove(check(z.object({ name: MachineName }), a, 'machines:remove').name),
      'hosts:dockerContext': (a) => {
        const v = check(z.object({ hostId, context: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/, 'must be a docker context name') }), a, 'hosts:dockerContext');
        return s.dockerSockets.expose(v.hostId, v.context);
      },
    },
    streams: {
      'app:heartbeat': ({ intervalMs }, sink) => {
        const timer = setInterval(() => sink.emit({ at: Date.now() }), Math.max(250, intervalMs));
        sink.signal.addEventListener('abort', () => clearInterval(timer));
      },
      'host:status': (a, sink) => {
        const v = check(z.object({ hostId: hostId.optional() }), a ?? {}, 'host:status');
        const wanted = (id: string): boolean => v.hostId === undefined || v.hostId === id;
        for (const st of s.hosts.statuses()) if (wanted(st.hostId)) sink.emit(st);
        const off = s.hosts.onStatus((st) => {
          if (wanted(st.hostId)) sink.emit(st);
        });
        sink.signal.addEventListener('abort', off);
      },
      'engine:events': (a, sink) => {
        const v = check(z.object({ hostId, types: StrList.optional() }), a, 'engine:events');
        const off = s.events.subscribe(v.hostId, v.types, (e) => sink.emit(e));
        sink.signal.addEventListener('abort', off);
      },
      'containers:logs': (a, sink) => {
        const v = check(LogsArgsSchema, a, 'containers:logs');
        run(sink, s.logs.stream(v, (b) => sink.emit(b), sink.signal));
      },
      'containers:stats': (a, sink) => {
        const v = check(Container, a, 'containers:stats');
        run(sink, s.stats.stream(v.hostId, v.id, (x) => sink.emit(x), sink.signal));
      },
      'containers:stats-summary': (a, sink) => {
        const v = check(Host, a, 'containers:stats-summary');
        const off = s.stats.subscribeSummary(v.hostId, (x) => sink.emit(x));
        sink.signal.addEventListener('abort', off);
      },
      'terminal:open': async (a, sink) => {
        const v = check(TerminalArgs, a, 'terminal:open');
        const session = await s.terminals.open(v, sink);
        return { input: (i) => session.input(i) };
      },
      'images:pull': (a, sink) => {
        const v = check(Image.extend({ auth: Auth }), a, 'images:pull');
        run(sink, s.images.pull(v.hostId, v.ref, v.auth, (p) => sink.emit(p), sink.signal));
      },
      'images:build': (a, sink) => {
        const v = check(BuildArgsSchema, a, 'images:build');
        run(sink, s.builds.build(v, (p) => sink.emit(p), sink.signal));
      },
      'compose:up': (a, sink) => {
        const v = check(ComposeUpSchema, a, 'compose:up');
        run(sink, s.compose.up(v, (p) => sink.emit(p), sink.signal));
      },
      'hosts:provision': (a, sink) => {
        const v = check(ProvisionArgsSchema, a, 'hosts:provision');
        run(sink, s.provisioning.run(v, (p) => sink.emit(p)));
      },
      'machines:create': (a, sink) => {
        const v = check(MachineCreate, a, 'machines:create');
        run(sink, s.machines.create(v, (p) => sink.emit(p)));
      },
      'machines:start': (a, sink) => {
        const v = check(z.object({ name: MachineName }), a, 'machines:start');
        run(sink, s.machines.start(v.name, (p) => sink.emit(p)));
      },
      'images:push': (a, sink) => {
        const v = check(Image.extend({ auth: Auth }), a, 'images:push');
        run(sink, s.images.push(v.hostId, v.ref, v.auth, (p) => sink.emit(p), sink.signal));
      },
    },
  };
}
