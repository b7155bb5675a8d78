import * as z from 'zod';
import type { Route } from '../router';
import { queryBool, readJson, sendJson } from '../http';
import type { ContainerDataService } from '../../engine/container-data/container-data-service';
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

/** `POST /commit`, `GET /containers/{id}/changes`. */
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
  ];
}
