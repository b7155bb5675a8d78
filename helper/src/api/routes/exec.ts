import { ExecCreateRequestSchema, ExecStartRequestSchema } from '../../../../src-shared/docker-api/containers';
import type { ExecService } from '../../engine/exec/exec-service';
import { toExecCreateInput, toExecInspectDto } from '../dto/container-dto';
import { parseJson, queryInt, readJson, sendEmpty, sendJson } from '../http';
import type { Route } from '../router';
import { parseDetachKeys } from '../streams/detach-keys';
import { pumpChunked, pumpHijacked, readUpgradeBody, streamContentType, writeUpgradeHeader } from '../streams/hijack';

export type ExecBackend = Pick<ExecService, 'create' | 'start' | 'resize' | 'inspect' | 'checkStartable'>;

const consoleSize = (v: number[] | null | undefined): { rows: number; cols: number } | undefined =>
  v && v.length === 2 && (v[0] ?? 0) > 0 && (v[1] ?? 0) > 0 ? { rows: v[0] ?? 0, cols: v[1] ?? 0 } : undefined;

/** Exec endpoints. `exec/{id}/start` is hijacked (101) unless detached. */
export function execRoutes(e: ExecBackend): Route[] {
  return [
    {
      method: 'POST',
      path: '/containers/:id/exec',
      handler: async ({ req, res, params }) => {
        const body = await readJson(req, ExecCreateRequestSchema);
        parseDetachKeys(body.DetachKeys ?? '', (k) => `Invalid escape keys (${k}) provided`);
        sendJson(res, 201, { Id: e.create(params.id ?? '', toExecCreateInput(body)).id });
      },
    },
    {
      method: 'POST',
      path: '/exec/:id/start',
      handler: async ({ req, res, params, apiVersion }) => {
        const body = await readJson(req, ExecStartRequestSchema);
        const ex = e.checkStartable(params.id ?? '');
        const stream = await e.start(ex.id, { detach: body.Detach ?? false, consoleSize: consoleSize(body.ConsoleSize) });
        if (!stream) {
          sendEmpty(res, 200);
          return;
        }
        // The start body's Tty decides the framing (dockerd), whatever the exec was created with.
        const tty = body.Tty ?? false;
        await pumpChunked(res, stream, { tty, contentType: streamContentType(tty, apiVersion) });
      },
      upgrade: async ({ req, socket, head, params, apiVersion }) => {
        const { body: raw, rest } = await readUpgradeBody(req, socket, head);
        const body = parseJson(raw, ExecStartRequestSchema);
        const ex = e.checkStartable(params.id ?? '');
        // The start body's Tty decides the framing (dockerd), whatever the exec was created with.
        const tty = body.Tty ?? false;
        writeUpgradeHeader(socket, streamContentType(tty, apiVersion));
        const stream = await e.start(ex.id, { detach: body.Detach ?? false, consoleSize: consoleSize(body.ConsoleSize) });
        if (!stream) {
          socket.end();
          return;
        }
        const detachKeys = ex.input.tty ? parseDetachKeys(ex.input.detachKeys, (k) => `Invalid escape keys (${k}) provided`) : undefined;
        await pumpHijacked(socket, stream, { tty, stdin: ex.input.attachStdin, early: rest, detachKeys });
      },
    },
    {
      method: 'POST',
      path: '/exec/:id/resize',
      handler: async ({ res, params, query }) => {
        await e.resize(params.id ?? '', { rows: queryInt(query, 'h') ?? 0, cols: queryInt(query, 'w') ?? 0 });
        sendEmpty(res, 200);
      },
    },
    {
      method: 'GET',
      path: '/exec/:id/json',
      handler: ({ res, params }) => sendJson(res, 200, toExecInspectDto(e.inspect(params.id ?? ''))),
    },
  ];
}
