import type { Route } from '../router';
import { queryBool, queryFilters, sendEmpty, sendJson } from '../http';
import { invalidArgument } from '../../lib/errors';
import type { ImageService } from '../../engine/images/image-service';
import { decodeRegistryAuth } from '../../registry/auth';
import { parsePlatform } from '../../registry/manifest';
import { BERTH_API_PREFIX } from '../../../../src-shared/docker-api/berth-config';
import type { ImagePruneResponse, SystemDfResponse } from '../../../../src-shared/docker-api/images';
import { toBerthLayersResponse, toDeleteItemDto, toHistoryDto, toImageInspectDto, toImageSummaryDto, toJsonMessage } from '../dto/images-dto';
import { JsonMessageStream } from '../streams/json-message-stream';

export interface ImageRoutesOptions {
  /** Rows for `/system/df`'s Containers section, from the containers engine when it is wired. */
  containerDiskUsage?: () => Promise<unknown[]>;
  /** Rows for `/system/df`'s Volumes section (with UsageData), from the volume engine. */
  volumeDiskUsage?: () => Promise<unknown[]>;
  /** Rows for `/system/df`'s BuildCache section, from the builder. */
  buildCacheUsage?: () => unknown[];
}

/** `/images/*`, `/system/df` and Berth's `/berth/v1/images/{name}/layers`. */
export function imageRoutes(images: ImageService, opts: ImageRoutesOptions = {}): Route[] {
  return [
    {
      method: 'POST',
      path: '/images/create',
      handler: async ({ req, res, query, log }) => {
        const fromImage = query.get('fromImage');
        const fromSrc = query.get('fromSrc');
        const stream = new JsonMessageStream(res, log);
        const signal = stream.clientGone();
        const progress = (e: Parameters<typeof toJsonMessage>[0]): void => stream.write(toJsonMessage(e));
        try {
          if (fromSrc !== null && fromSrc !== '') {
            if (fromSrc !== '-') throw invalidArgument('IMPORT_URL_UNSUPPORTED', 'importing from a URL is not supported; pipe the archive to `docker import -`');
            await images.importImage(req, { repo: query.get('repo') ?? undefined, tag: query.get('tag') ?? undefined, message: query.get('message') ?? undefined, changes: query.getAll('changes') }, progress);
          } else {
            if (!fromImage) throw invalidArgument('MISSING_FROM_IMAGE', 'fromImage or fromSrc is required');
            const ref = images.parsePullReference(fromImage, query.get('tag') ?? undefined);
            const platform = query.get('platform');
            await images.pull(ref, { credentials: decodeRegistryAuth(req.headers['x-registry-auth'] as string | undefined), ...(platform ? { platform: parsePlatform(platform) } : {}), signal }, progress);
          }
          stream.end();
        } catch (err) {
          stream.fail(err);
        }
      },
    },
    {
      method: 'GET',
      path: '/images/json',
      handler: async ({ res, query }) => {
        const list = await images.list({ filters: queryFilters(query), sharedSize: queryBool(query, 'shared-size'), all: queryBool(query, 'all') });
        sendJson(res, 200, list.map(toImageSummaryDto));
      },
    },
    {
      method: 'POST',
      path: '/images/prune',
      handler: async ({ res, query }) => {
        const r = await images.prune(queryFilters(query));
        const body: ImagePruneResponse = { ImagesDeleted: r.deleted.length > 0 ? r.deleted.map(toDeleteItemDto) : null, SpaceReclaimed: r.spaceReclaimed };
        sendJson(res, 200, body);
      },
    },
    { method: 'GET', path: '/images/:name*/json', handler: ({ res, params }) => sendJson(res, 200, toImageInspectDto(images.inspect(params.name ?? ''))) },
    { method: 'GET', path: '/images/:name*/history', handler: ({ res, params }) => sendJson(res, 200, images.history(params.name ?? '').map(toHistoryDto)) },
    {
      method: 'POST',
      path: '/images/:name*/tag',
      handler: async ({ res, params, query }) => {
        const repo = query.get('repo');
        if (!repo) throw invalidArgument('MISSING_REPO', 'repository name (repo) is required');
        await images.tag(params.name ?? '', repo, query.get('tag') ?? undefined);
        sendEmpty(res, 201);
      },
    },
    {
      method: 'DELETE',
      path: '/images/:name*',
      handler: async ({ res, params, query }) => {
        const items = await images.remove(params.name ?? '', { force: queryBool(query, 'force') });
        sendJson(res, 200, items.map(toDeleteItemDto));
      },
    },
    {
      method: 'GET',
      path: '/system/df',
      handler: async ({ res }) => {
        const du = await images.diskUsage();
        const body: SystemDfResponse = {
          LayersSize: du.layersSize,
          Images: du.images.map(toImageSummaryDto),
          Containers: (await opts.containerDiskUsage?.()) ?? [],
          Volumes: (await opts.volumeDiskUsage?.()) ?? [],
          BuildCache: opts.buildCacheUsage?.() ?? [],
        };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'GET',
      path: `${BERTH_API_PREFIX}/images/:name*/layers`,
      handler: ({ res, params }) => {
        const img = images.resolve(params.name ?? '');
        sendJson(res, 200, toBerthLayersResponse(img.id, images.layersOf(img.id)));
      },
    },
  ];
}
