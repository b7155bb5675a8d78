import { pipeline } from 'node:stream/promises';
import * as z from 'zod';
import type { Route } from '../router';
import { queryBool, readJson, sendJson } from '../http';
import type { ContainerDataService, PathStat } from '../../engine/container-data/container-data-service';
import { invalidArgument } from '../../lib/errors';

/** The body of `POST /commit`: a container config; only the image-config fields are used. */
const CommitBody = z
  .object({
    Hostname: z.string().optional(),
    Domainname: z.string().optional(),
    User: z.string().optional(),
    Env: z.array(z.string()).nullish(),
    Cmd: z.array(z.string()).nullish(),
    Entrypoint: z.array(z.string()).nullish(),
    WorkingDir: z.string().optional(),
    Labels: z.record(z.string(), z.string()).nullish(),
    ExposedPorts: z.record(z.string(), z.object({}).passthrough()).nullish(),
    Volumes: z.record(z.string(), z.object({}).passthrough()).nullish(),
    StopSignal: z.string().optional(),
    OnBuild: z.array(z.string()).nullish(),
  })
  .passthrough()
  .nullable();

/** `X-Docker-Container-Path-Stat`: base64 of the stat JSON, as dockerd writes it. */
function statHeader(s: PathStat): string {
  return Buffer.from(JSON.stringify({ name: s.name, size: s.size, mode: s.mode, mtime: s.mtime, linkTarget: s.linkTarget })).toString('base64');
}

function requirePath(query: URLSearchParams): string {
  const path = query.get('path');
  if (path === null || path === '') throw invalidArgument('MISSING_PATH', 'path is required');
  return path;
}

/** `POST /commit`, `GET /containers/{id}/changes`, `HEAD|GET|PUT /containers/{id}/archive`, `GET /containers/{id}/export`. */
export function containerDataRoutes(data: ContainerDataService): Route[] {
  return [
    {
      method: 'POST',
      path: '/commit',
      handler: async ({ req, res, query }) => {
        const container = query.get('container') ?? '';
        if (container === '') throw invalidArgument('MISSING_CONTAINER', 'container is required');
        const body = await readJson(req, CommitBody);
        const { Hostname, Domainname, User, Env, Cmd, Entrypoint, WorkingDir, Labels, ExposedPorts, Volumes, StopSignal, OnBuild } = body ?? {};
        const config = Object.fromEntries(Object.entries({ Hostname, Domainname, User, Env, Cmd, Entrypoint, WorkingDir, Labels, ExposedPorts, Volumes, StopSignal, OnBuild }).filter(([, v]) => v !== undefined && v !== null && v !== ''));
        const result = await data.commit(container, {
          ...(query.get('repo') ? { repo: query.get('repo') as string } : {}),
          ...(query.get('tag') ? { tag: query.get('tag') as string } : {}),
          ...(query.get('comment') ? { comment: query.get('comment') as string } : {}),
          ...(query.get('author') ? { author: query.get('author') as string } : {}),
          pause: queryBool(query, 'pause', true),
          changes: query.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim() !== ''),
          config,
        });
        sendJson(res, 201, { Id: result.image.id });
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/changes',
      handler: async ({ res, params }) => {
        const changes = await data.changes(params.id ?? '');
        sendJson(res, 200, changes.map((c) => ({ Path: c.path, Kind: c.kind })));
      },
    },
    {
      method: 'HEAD',
      path: '/containers/:id/archive',
      handler: async ({ res, params, query }) => {
        const stat = await data.statPath(params.id ?? '', requirePath(query));
        res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat), 'Content-Type': 'application/x-tar' }).end();
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/archive',
      handler: async ({ res, params, query }) => {
        const { stat, tar } = await data.archive(params.id ?? '', requirePath(query));
        res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat), 'Content-Type': 'application/x-tar' });
        // Headers are out: a failure now can only cut the stream (the client sees a truncated tar).
        await pipeline(tar, res).catch(() => res.destroy());
      },
    },
    {
      method: 'PUT',
      path: '/containers/:id/archive',
      handler: async ({ req, res, params, query }) => {
        await data.extract(params.id ?? '', requirePath(query), req, { copyUIDGID: queryBool(query, 'copyUIDGID'), noOverwriteDirNonDir: queryBool(query, 'noOverwriteDirNonDir') });
        res.writeHead(200, { 'Content-Length': 0 }).end();
      },
    },
    {
      // Berth's directory listing for the app's Files tab (one level; docker's API has none).
      method: 'GET',
      path: '/berth/v1/containers/:id/files',
      handler: async ({ res, params, query }) => {
        const list = await data.list(params.id ?? '', requirePath(query));
        sendJson(res, 200, list.map((s) => ({ Name: s.name, Size: s.size, Mode: s.mode, Mtime: s.mtime, LinkTarget: s.linkTarget })));
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/export',
      handler: async ({ res, params }) => {
        const tar = await data.export(params.id ?? '');
        res.writeHead(200, { 'Content-Type': 'application/x-tar' });
        await pipeline(tar, res).catch(() => res.destroy());
      },
    },
  ];
}
