import type { Route } from '../router';
import { sendJson } from '../http';
import { invalidArgument } from '../../lib/errors';
import type { BuildService } from '../../engine/build/build-service';
import { BuildStepError, type BuildContainers, type StepContainerSpec } from '../../engine/build/build-types';
import type { ContainerService, OutputChunk } from '../../engine/containers/container-service';
import { messageForError } from '../errors';
import { toBuildOptions } from '../dto/build-dto';
import { toContainerCreateInput } from '../dto/container-dto';
import { toJsonMessage } from '../dto/images-dto';
import { JsonMessageStream } from '../streams/json-message-stream';
import type { ContainerCreateRequest } from '../../../../src-shared/docker-api/containers';

/** `POST /build` (the classic builder: what `DOCKER_BUILDKIT=0 docker build` and SDKs use) and `POST /build/prune`. */
export function buildRoutes(builds: BuildService): Route[] {
  return [
    {
      method: 'POST',
      path: '/build',
      handler: async ({ req, res, query, log }) => {
        const opts = toBuildOptions(query, req.headers['x-registry-config'] as string | undefined);
        builds.validate(opts);
        const stream = new JsonMessageStream(res, log);
        const signal = stream.clientGone();
        try {
          await builds.build(
            req,
            opts,
            {
              stream: (text) => stream.write({ stream: text }),
              progress: (e) => stream.write(toJsonMessage(e)),
              result: (id) => stream.write({ id: 'moby.image.id', aux: { ID: id } }),
            },
            signal,
          );
          stream.end();
        } catch (err) {
          // A failed step's exit code goes in errorDetail.code: the CLI exits with it.
          if (err instanceof BuildStepError && res.headersSent) {
            const message = messageForError(err);
            stream.write({ errorDetail: { code: err.exitCode, message }, error: message });
            res.end();
            return;
          }
          stream.fail(err);
        }
      },
    },
    {
      method: 'POST',
      path: '/build/prune',
      handler: async ({ res, query }) => {
        let untilMs: number | undefined;
        const filters = query.get('filters');
        if (filters) {
          const f = JSON.parse(filters) as Record<string, unknown>;
          for (const k of Object.keys(f)) if (k !== 'until') throw invalidArgument('INVALID_FILTER', `invalid filter '${k}'`);
          const until = f.until;
          const v = Array.isArray(until) ? until[0] : until && typeof until === 'object' ? Object.keys(until)[0] : undefined;
          if (typeof v === 'string') untilMs = parseUntil(v);
        }
        const r = await builds.prune(untilMs !== undefined ? { untilMs } : {});
        sendJson(res, 200, { CachesDeleted: r.deleted.length > 0 ? r.deleted : null, SpaceReclaimed: r.spaceReclaimed });
      },
    },
  ];
}

/** `until`: a Go duration (`24h`) back from now, or a timestamp. */
function parseUntil(v: string): number {
  const m = /^(\d+)(h|m|s)$/.exec(v);
  if (m) return Date.now() - Number(m[1]) * ({ h: 3600e3, m: 60e3, s: 1e3 } as Record<string, number>)[m[2] as string]!;
  const t = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(t)) throw invalidArgument('INVALID_FILTER', `invalid until filter ${v}`);
  return t;
}

/**
 * Build steps as ordinary containers: each RUN is created through the same create mapping as
 * `docker create` (so every host option is applied or refused the same way), attached, started
 * and waited for.
 */
export function buildContainersFrom(containers: ContainerService): BuildContainers {
  return {
    create: async (spec: StepContainerSpec) => {
      const r = spec.resources;
      const hostConfig: Record<string, unknown> = { NetworkMode: spec.networkMode };
      if (r.memory) hostConfig.Memory = r.memory;
      if (r.memorySwap) hostConfig.MemorySwap = r.memorySwap;
      if (r.cpuShares) hostConfig.CpuShares = r.cpuShares;
      if (r.cpuPeriod) hostConfig.CpuPeriod = r.cpuPeriod;
      if (r.cpuQuota) hostConfig.CpuQuota = r.cpuQuota;
      if (r.cpusetCpus) hostConfig.CpusetCpus = r.cpusetCpus;
      if (r.cpusetMems) hostConfig.CpusetMems = r.cpusetMems;
      if (spec.shmSize) hostConfig.ShmSize = spec.shmSize;
      if (spec.extraHosts.length > 0) hostConfig.ExtraHosts = spec.extraHosts;
      const body = {
        Image: spec.image,
        Cmd: spec.cmd,
        // RUN never goes through the image's ENTRYPOINT (moby: withEntrypointOverride [""]).
        Entrypoint: [''],
        Env: spec.env,
        User: spec.user,
        WorkingDir: spec.workingDir,
        AttachStdout: true,
        AttachStderr: true,
        HostConfig: hostConfig,
      } as ContainerCreateRequest;
      const { id } = await containers.create(toContainerCreateInput(body, undefined));
      const view = await containers.inspect(id);
      return { id, upperDir: view.record.rootfs.upperDir };
    },
    run: async (id, onOutput, signal) => {
      const exited = containers.wait(id, 'next-exit');
      const attach = await containers.attach(id, { stdin: false, stdout: true, stderr: true, closeStdinOnEnd: false });
      const drained = (async () => {
        for await (const c of attach as AsyncIterable<OutputChunk>) onOutput(c.stream === 'stderr' ? 'stderr' : 'stdout', c.data);
      })();
      const onAbort = (): void => void containers.kill(id).catch(() => undefined);
      signal.addEventListener('abort', onAbort);
      try {
        await containers.start(id);
        const { statusCode } = await exited;
        await drained;
        return statusCode;
      } finally {
        signal.removeEventListener('abort', onAbort);
        attach.destroy();
      }
    },
    remove: (id) => containers.remove(id, { force: true }),
  };
}
