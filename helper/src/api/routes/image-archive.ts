import { pipeline } from 'node:stream/promises';
import type { Route } from '../router';
import { queryBool } from '../http';
import type { ImageService } from '../../engine/images/image-service';
import { toJsonMessage } from '../dto/images-dto';
import { JsonMessageStream } from '../streams/json-message-stream';

/** `docker save` (`GET /images/get`, `GET /images/{name}/get`) and `docker load` (`POST /images/load`). */
export function imageArchiveRoutes(images: ImageService): Route[] {
  const save = async (res: import('node:http').ServerResponse, names: string[]): Promise<void> => {
    const tar = await images.save(names);
    res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    // Headers are out: a failure now can only cut the stream (the client sees a truncated tar).
    await pipeline(tar, res).catch(() => res.destroy());
  };
  return [
    {
      method: 'GET',
      path: '/images/get',
      handler: async ({ res, query }) => save(res, query.getAll('names').flatMap((n) => n.split(',')).filter((n) => n !== '')),
    },
    {
      method: 'GET',
      path: '/images/:name*/get',
      handler: async ({ res, params }) => save(res, [params.name ?? '']),
    },
    {
      method: 'POST',
      path: '/images/load',
      handler: async ({ req, res, query, log }) => {
        const stream = new JsonMessageStream(res, log);
        const signal = stream.clientGone();
        try {
          const { lines } = await images.load(req, { quiet: queryBool(query, 'quiet'), signal }, (e) => stream.write(toJsonMessage(e)));
          for (const line of lines) stream.write({ stream: `${line}\n` });
          stream.end();
        } catch (err) {
          stream.fail(err);
        }
      },
    },
  ];
}
