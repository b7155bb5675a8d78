import type { JsonMessageDto } from '../../../../src-shared/docker-api/images';
import type { PushEvent, PushService } from '../../engine/images/push-service';
import { decodeRegistryAuth } from '../../registry/auth';
import { toJsonMessage } from '../dto/images-dto';
import { JsonMessageStream } from '../streams/json-message-stream';
import type { Route } from '../router';

/** A push event as dockerd's jsonmessage; the final record is `{"progressDetail":{},"aux":{Tag,Digest,Size}}`. */
export function toPushMessage(e: PushEvent): JsonMessageDto {
  if (e.aux !== undefined) return { progressDetail: {}, aux: { Tag: e.aux.tag, Digest: e.aux.digest, Size: e.aux.size } };
  // The repository banner and the digest line carry no id and no progressDetail in dockerd's output.
  if (e.id === undefined) return { status: e.status ?? '' };
  return toJsonMessage({ status: e.status ?? '', id: e.id, ...(e.current !== undefined ? { current: e.current } : {}), ...(e.total !== undefined ? { total: e.total } : {}) });
}

/** `POST /images/{name}/push?tag=` with `X-Registry-Auth`: docker push, as a jsonmessage stream. */
export function imagePushRoutes(push: Pick<PushService, 'push'>): Route[] {
  return [
    {
      method: 'POST',
      path: '/images/:name*/push',
      handler: async ({ req, res, params, query, log }) => {
        const stream = new JsonMessageStream(res, log);
        const signal = stream.clientGone();
        try {
          const tag = query.get('tag') ?? undefined;
          const credentials = decodeRegistryAuth(req.headers['x-registry-auth'] as string | undefined);
          await push.push({ name: params.name ?? '', ...(tag !== undefined ? { tag } : {}), ...(credentials ? { credentials } : {}), signal }, (e) => stream.write(toPushMessage(e)));
          stream.end();
        } catch (err) {
          stream.fail(err);
        }
      },
    },
  ];
}
