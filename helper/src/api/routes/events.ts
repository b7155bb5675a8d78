import type { EngineEvent, EventsService } from '../../engine/events/events-service';
import { parseUnixTimeParam } from '../../engine/containers/json-log-reader';
import { toEventDto } from '../dto/container-dto';
import { queryFilters } from '../http';
import type { Route } from '../router';

export type EventsBackend = Pick<EventsService, 'recent' | 'subscribe'>;

/** `GET /events`: replay from `since`, then stream NDJSON until `until` or the client leaves. */
export function eventRoutes(ev: EventsBackend): Route[] {
  return [
    {
      method: 'GET',
      path: '/events',
      handler: async ({ req, res, query }) => {
        const filters = queryFilters(query);
        const since = parseUnixTimeParam(query.get('since'));
        const until = parseUnixTimeParam(query.get('until'));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        const write = (e: EngineEvent): void => {
          res.write(`${JSON.stringify(toEventDto(e))}\n`);
        };
        if (since !== undefined) for (const e of ev.recent(filters, since, until)) write(e);
        const nowNano = BigInt(Date.now()) * 1_000_000n;
        if (until !== undefined && until <= nowNano) {
          res.end();
          return;
        }
        await new Promise<void>((resolve) => {
          const unsubscribe = ev.subscribe(filters, (e) => {
            if (until !== undefined && e.timeNano >= until) return;
            write(e);
          });
          const timer = until !== undefined ? setTimeout(() => done(), Number((until - nowNano) / 1_000_000n)) : undefined;
          const done = (): void => {
            unsubscribe();
            if (timer) clearTimeout(timer);
            resolve();
          };
          req.once('close', done);
          res.once('close', done);
        });
        res.end();
      },
    },
  ];
}
