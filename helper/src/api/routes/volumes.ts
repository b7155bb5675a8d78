import { BERTH_API_PREFIX } from '../../../../src-shared/docker-api/berth-config';
import { VolumeCreateRequestSchema, type VolumeListResponse, type VolumePruneResponse } from '../../../../src-shared/docker-api/volumes';
import type { VolumeService } from '../../engine/volumes/volume-service';
import { listVolumeDir, readVolumeFile } from '../../engine/volumes/volume-files';
import { invalidArgument } from '../../lib/errors';
import { toBerthVolumeDto, toVolumeDto } from '../dto/volumes-dto';
import { queryBool, queryFilters, readJson, sendEmpty, sendJson } from '../http';
import type { Route } from '../router';

export type VolumeBackend = Pick<VolumeService, 'create' | 'list' | 'inspect' | 'remove' | 'prune' | 'withUsage' | 'containersUsing' | 'mountpoint'>;

/** `/volumes/*` (moby api/server/router/volume) and Berth's `/berth/v1/volumes` for the app. */
export function volumeRoutes(volumes: VolumeBackend): Route[] {
  return [
    {
      method: 'GET',
      path: '/volumes',
      handler: async ({ res, query }) => {
        const list = await volumes.list(queryFilters(query));
        const body: VolumeListResponse = { Volumes: list.map(toVolumeDto), Warnings: null };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'POST',
      path: '/volumes/create',
      handler: async ({ req, res }) => {
        const body = await readJson(req, VolumeCreateRequestSchema);
        if (body.ClusterVolumeSpec !== undefined && body.ClusterVolumeSpec !== null) throw invalidArgument('CLUSTER_VOLUMES_UNSUPPORTED', 'ClusterVolumeSpec: cluster volumes need swarm mode, which berthd does not have');
        const { view } = await volumes.create({ name: body.Name, driver: body.Driver, driverOpts: body.DriverOpts ?? undefined, labels: body.Labels ?? undefined });
        sendJson(res, 201, toVolumeDto(view));
      },
    },
    {
      method: 'POST',
      path: '/volumes/prune',
      handler: async ({ res, query }) => {
        const out = await volumes.prune(queryFilters(query));
        const body: VolumePruneResponse = { VolumesDeleted: out.deleted.length > 0 ? out.deleted : null, SpaceReclaimed: out.spaceReclaimed };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/volumes/:name',
      handler: async ({ res, params, query }) => {
        const view = volumes.inspect(params.name ?? '');
        // Berth: `?size=1` adds UsageData (dockerd fills it only in system df).
        sendJson(res, 200, toVolumeDto(queryBool(query, 'size') ? await volumes.withUsage(view.volume) : view));
      },
    },
    {
      method: 'DELETE',
      path: '/volumes/:name',
      handler: async ({ res, params, query }) => {
        await volumes.remove(params.name ?? '', { force: queryBool(query, 'force') });
        sendEmpty(res, 204);
      },
    },
    {
      method: 'GET',
      path: `${BERTH_API_PREFIX}/volumes`,
      handler: async ({ res, query }) => {
        const list = await volumes.list(queryFilters(query), true);
        sendJson(res, 200, list.map((v) => toBerthVolumeDto(v, volumes.containersUsing(v.volume.name))));
      },
    },
    {
      method: 'GET',
      path: `${BERTH_API_PREFIX}/volumes/:name/files`,
      handler: async ({ res, params, query }) => {
        const name = params.name ?? '';
        volumes.inspect(name);
        sendJson(res, 200, await listVolumeDir(volumes.mountpoint(name), query.get('path') ?? '/'));
      },
    },
    {
      method: 'GET',
      path: `${BERTH_API_PREFIX}/volumes/:name/file`,
      handler: async ({ res, params, query }) => {
        const name = params.name ?? '';
        volumes.inspect(name);
        const out = await readVolumeFile(volumes.mountpoint(name), query.get('path') ?? '');
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': out.content.length,
          'X-Berth-File-Size': String(out.size),
          'X-Berth-Truncated': out.truncated ? '1' : '0',
        });
        res.end(out.content);
      },
    },
  ];
}
