import { ContainerCreateRequestSchema, ContainerUpdateRequestSchema, type ContainerSummaryDto } from '../../../../src-shared/docker-api/containers';
import type { ContainerService, ContainerStats, WaitCondition } from '../../engine/containers/container-service';
import { fixedNanoTimestamp, parseUnixTimeParam } from '../../engine/containers/json-log-reader';
import { invalidArgument } from '../../lib/errors';
import { migrateContainerMacAddress } from '../compat/container-mac-address';
import {
  toContainerCreateInput,
  toContainerInspectDto,
  toContainerSummaryDto,
  toProcessesDto,
  toStatsDto,
} from '../dto/container-dto';
import { toContainerUpdate } from '../dto/update-dto';
import { queryBool, queryFilters, queryInt, readBody, readJson, sendEmpty, sendJson } from '../http';
import type { RequestContext, Route, UpgradeContext } from '../router';
import { frame, StdStream } from '../streams/stdcopy';
import { pumpChunked, pumpHijacked, streamContentType, writeUpgradeHeader } from '../streams/hijack';
import { parseDetachKeys } from '../streams/detach-keys';

export type ContainerBackend = Pick<
  ContainerService,
  | 'create' | 'start' | 'stop' | 'restart' | 'kill' | 'wait' | 'remove' | 'prune' | 'attach' | 'resize'
  | 'inspect' | 'list' | 'logs' | 'top' | 'stats' | 'processMap' | 'logPath' | 'containerDir' | 'pause' | 'unpause' | 'rename' | 'update'
>;

const WAIT_CONDITIONS: WaitCondition[] = ['not-running', 'next-exit', 'removed'];

function timeoutParam(query: URLSearchParams): number | undefined {
  return queryInt(query, 't') ?? queryInt(query, 'timeout');
}

/** `logs --details`: the line's attrs as moby writes them (sorted `k=v`, values query-escaped, comma-joined). */
const detailsPrefix = (attrs: Record<string, string> | undefined): string =>
  Object.keys(attrs ?? {})
    .sort()
    .map((k) => `${k}=${goQueryEscape(attrs?.[k] ?? '')}`)
    .join(',');

/** Go's url.QueryEscape: like encodeURIComponent, but a space is '+' and !'()* are escaped. */
const goQueryEscape = (v: string): string => encodeURIComponent(v).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** attach's `logs` (replay the log first) and `stream` (then stay attached); both default to false, as dockerd. */
const replayOf = (query: URLSearchParams): { logs: boolean; stream: boolean } => ({ logs: queryBool(query, 'logs'), stream: queryBool(query, 'stream') });

/** Container endpoints (moby api/server/router/container), one thin handler each. */
export function containerRoutes(c: ContainerBackend, host: { memTotal: () => number }): Route[] {
  const attachChunked = async ({ req, res, params, query, apiVersion }: RequestContext): Promise<void> => {
    await readBody(req);
    parseDetachKeys(query.get('detachKeys') ?? '', (k) => `Invalid detach keys (${k}) provided`);
    const view = await c.inspect(params.id ?? '');
    const stream = await c.attach(view.record.id, { stdin: false, stdout: queryBool(query, 'stdout'), stderr: queryBool(query, 'stderr'), closeStdinOnEnd: false }, replayOf(query));
    const tty = view.record.config.tty;
    await pumpChunked(res, stream, { tty, contentType: streamContentType(tty, apiVersion) });
  };

  const attachUpgrade = async ({ socket, head, params, query, apiVersion }: UpgradeContext): Promise<void> => {
    const view = await c.inspect(params.id ?? '');
    const rec = view.record;
    const stdin = queryBool(query, 'stdin') && rec.config.openStdin;
    const detachKeys = rec.config.tty ? parseDetachKeys(query.get('detachKeys') ?? '', (k) => `Invalid detach keys (${k}) provided`) : undefined;
    const stream = await c.attach(rec.id, { stdin, stdout: queryBool(query, 'stdout'), stderr: queryBool(query, 'stderr'), closeStdinOnEnd: rec.config.stdinOnce }, replayOf(query));
    writeUpgradeHeader(socket, streamContentType(rec.config.tty, apiVersion));
    await pumpHijacked(socket, stream, { tty: rec.config.tty, stdin, early: head, detachKeys });
  };

  return [
    {
      method: 'POST',
      path: '/containers/create',
      handler: async ({ req, res, query, apiVersion }) => {
        const mac = migrateContainerMacAddress(await readJson(req, ContainerCreateRequestSchema), apiVersion);
        const out = await c.create(toContainerCreateInput(mac.body, query.get('name') ?? undefined));
        sendJson(res, 201, { Id: out.id, Warnings: [...mac.warnings, ...out.warnings] });
      },
    },
    {
      method: 'GET',
      path: '/containers/json',
      handler: async ({ res, query }) => {
        const views = await c.list({ all: queryBool(query, 'all'), limit: queryInt(query, 'limit'), size: queryBool(query, 'size'), filters: queryFilters(query) });
        const now = Date.now();
        sendJson(res, 200, views.map((v) => toContainerSummaryDto(v, now)));
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/json',
      handler: async ({ res, params, query }) => {
        const v = await c.inspect(params.id ?? '', queryBool(query, 'size'));
        sendJson(res, 200, toContainerInspectDto(v, { dir: c.containerDir(v.record.id), logPath: c.logPath(v.record.id) }));
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/start',
      handler: async ({ req, res, params }) => {
        // moby rejects start bodies (HostConfig at start was removed in API 1.24).
        const body = await readBody(req);
        if (body.length > 7 && body.toString().trim() !== 'null') throw invalidArgument('START_BODY', 'starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
        await c.start(params.id ?? '');
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/stop',
      handler: async ({ res, params, query }) => {
        await c.stop(params.id ?? '', { signal: query.get('signal') || undefined, timeoutSec: timeoutParam(query) });
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/restart',
      handler: async ({ res, params, query }) => {
        await c.restart(params.id ?? '', timeoutParam(query));
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/kill',
      handler: async ({ res, params, query }) => {
        await c.kill(params.id ?? '', query.get('signal') ?? undefined);
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/wait',
      handler: async ({ res, params, query }) => {
        const condition = (query.get('condition') || 'not-running') as WaitCondition;
        if (!WAIT_CONDITIONS.includes(condition)) throw invalidArgument('INVALID_CONDITION', `invalid condition: "${condition}"`);
        // Register first, then flush headers: the CLI returns from its wait call on headers alone.
        const result = c.wait(params.id ?? '', condition);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        // `docker run -d` cancels its wait: stop waiting when the client goes away.
        const gone = new Promise<undefined>((resolve) => res.once('close', () => resolve(undefined)));
        const r = await Promise.race([result, gone]);
        if (r) res.end(JSON.stringify({ StatusCode: r.statusCode, Error: r.error !== undefined ? { Message: r.error } : null }));
      },
    },
    {
      method: 'DELETE',
      path: '/containers/:id',
      handler: async ({ res, params, query }) => {
        await c.remove(params.id ?? '', { force: queryBool(query, 'force'), removeVolumes: queryBool(query, 'v') });
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/prune',
      handler: async ({ res, query }) => {
        const out = await c.prune(queryFilters(query));
        sendJson(res, 200, { ContainersDeleted: out.deleted.length > 0 ? out.deleted : null, SpaceReclaimed: out.spaceReclaimed });
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/pause',
      handler: async ({ res, params }) => {
        await c.pause(params.id ?? '');
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/unpause',
      handler: async ({ res, params }) => {
        await c.unpause(params.id ?? '');
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/rename',
      handler: async ({ res, params, query }) => {
        await c.rename(params.id ?? '', query.get('name') ?? '');
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/update',
      handler: async ({ req, res, params }) => {
        const body = await readJson(req, ContainerUpdateRequestSchema);
        const out = await c.update(params.id ?? '', toContainerUpdate(body));
        sendJson(res, 200, { Warnings: out.warnings });
      },
    },
    { method: 'POST', path: '/containers/:id/attach', handler: attachChunked, upgrade: attachUpgrade },
    {
      method: 'POST',
      path: '/containers/:id/resize',
      handler: async ({ res, params, query }) => {
        await c.resize(params.id ?? '', { rows: queryInt(query, 'h') ?? 0, cols: queryInt(query, 'w') ?? 0 });
        sendEmpty(res, 200);
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/logs',
      handler: async ({ req, res, params, query, apiVersion }) => {
        const stdout = queryBool(query, 'stdout');
        const stderr = queryBool(query, 'stderr');
        if (!stdout && !stderr) throw invalidArgument('LOGS_NO_STREAM', 'Bad parameters: you must choose at least one stream');
        const tailRaw = query.get('tail');
        const tail = tailRaw === null || tailRaw === '' || tailRaw === 'all' ? undefined : Number(tailRaw);
        const ac = new AbortController();
        req.once('close', () => ac.abort());
        const { tty, entries } = c.logs(params.id ?? '', {
          stdout,
          stderr,
          tail: tail !== undefined && Number.isInteger(tail) && tail >= 0 ? tail : undefined,
          sinceNano: parseUnixTimeParam(query.get('since')),
          // moby: until=0 means no upper bound for logs.
          untilNano: parseUnixTimeParam(query.get('until')) || undefined,
          follow: queryBool(query, 'follow'),
        }, ac.signal);
        const timestamps = queryBool(query, 'timestamps');
        const details = queryBool(query, 'details');
        res.writeHead(200, { 'Content-Type': streamContentType(tty, apiVersion) });
        res.flushHeaders();
        for await (const e of entries) {
          const body = details ? `${detailsPrefix(e.attrs)} ${e.log}` : e.log;
          const line = timestamps ? `${fixedNanoTimestamp(e.time)} ${body}` : body;
          const ok = res.write(tty ? line : frame(e.stream === 'stderr' ? StdStream.Stderr : StdStream.Stdout, line));
          if (!ok) await new Promise((r) => res.once('drain', r));
          if (ac.signal.aborted) break;
        }
        res.end();
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/top',
      handler: async ({ res, params, query }) => {
        sendJson(res, 200, await c.top(params.id ?? '', query.get('ps_args') || '-ef'));
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/stats',
      handler: async ({ req, res, params, query }) => {
        const stream = queryBool(query, 'stream', true);
        const oneShot = queryBool(query, 'one-shot');
        if (!stream) {
          const s = await c.stats(params.id ?? '', { oneShot, stream: false });
          sendJson(res, 200, toStatsDto(s, host.memTotal()));
          return;
        }
        let closed = false;
        req.once('close', () => (closed = true));
        res.once('close', () => (closed = true));
        let previous: ContainerStats | undefined;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        for (let first = true; !closed; first = false) {
          if (!first) await new Promise((r) => setTimeout(r, 1000));
          if (closed) break;
          const s = await c.stats(params.id ?? '', { previous, oneShot: false, stream: true });
          res.write(`${JSON.stringify(toStatsDto(s, host.memTotal()))}\n`);
          if (!s.current) break;
          previous = s.current;
        }
        res.end();
      },
    },
    {
      method: 'GET',
      path: '/berth/v1/containers/:id/processes',
      handler: async ({ res, params }) => {
        sendJson(res, 200, toProcessesDto(await c.processMap(params.id ?? '')));
      },
    },
  ];
}

/** `/system/df`'s Containers rows (summaries with SizeRw), for the images routes. */
export function containerDiskUsageRows(c: Pick<ContainerService, 'list'>): () => Promise<ContainerSummaryDto[]> {
  return async () => {
    const now = Date.now();
    return (await c.list({ all: true, size: true, filters: new Map() })).map((v) => toContainerSummaryDto(v, now));
  };
}
