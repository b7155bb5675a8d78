/**
 * The daemon's event bus for `GET /events`: container and image actions, published by the engine
 * services and fanned out to subscribers. A bounded history (the last 1024 events, as dockerd's
 * `events.Events` keeps 256…1024) lets `since` replay recent events.
 *
 * Lifecycle: one instance per daemon, built in main.ts and injected into every publisher.
 * Subscribers receive events published after they subscribed (plus replayed history) until they
 * call the returned `unsubscribe`.
 */

export type EventType = 'container' | 'image' | 'network' | 'volume' | 'daemon';

export interface EngineEvent {
  type: EventType;
  /** `create`, `start`, `die`, `exec_create: sh`, `pull`, `untag`… */
  action: string;
  /** Container ID or image reference/ID. */
  actorId: string;
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
}

/** `filters` of `GET /events`, already parsed: key -> accepted values. */
export type EventFilters = Map<string, string[]>;

const HISTORY = 1024;

export class EventsService {
  private readonly history: EngineEvent[] = [];
  private readonly subscribers = new Set<(e: EngineEvent) => void>();
  private lastNano = 0n;

  publish(type: EventType, action: string, actorId: string, attributes: Record<string, string> = {}): EngineEvent {
    // Strictly increasing times so `since`/`until` at an event's own time are unambiguous.
    let now = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    if (now <= this.lastNano) now = this.lastNano + 1n;
    this.lastNano = now;
    const event: EngineEvent = { type, action, actorId, attributes, timeNano: now };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    for (const s of this.subscribers) s(event);
    return event;
  }

  /** Events already in the history within [sinceNano, untilNano). */
  recent(filters: EventFilters, sinceNano?: bigint, untilNano?: bigint): EngineEvent[] {
    return this.history.filter((e) => (sinceNano === undefined || e.timeNano >= sinceNano) && (untilNano === undefined || e.timeNano < untilNano) && matchesEvent(e, filters));
  }

  subscribe(filters: EventFilters, onEvent: (e: EngineEvent) => void): () => void {
    const sub = (e: EngineEvent): void => {
      if (matchesEvent(e, filters)) onEvent(e);
    };
    this.subscribers.add(sub);
    return () => this.subscribers.delete(sub);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}

/**
 * dockerd's events filter (daemon/events/filter.go): each given key must match; within a key any
 * value matches. `container`/`image` match the actor ID or its `name`/`image` attribute; `event`
 * matches the action up to its first ':' (so `exec_create` matches `exec_create: sh`).
 */
export function matchesEvent(e: EngineEvent, filters: EventFilters): boolean {
  for (const [key, values] of filters) {
    if (values.length === 0) continue;
    const ok = values.some((v) => {
      switch (key) {
        case 'type':
          return e.type === v;
        case 'event':
        case 'action':
          return e.action === v || e.action.split(':')[0] === v;
        case 'container':
          return e.type === 'container' && (e.actorId === v || e.actorId.startsWith(v) || e.attributes.name === v);
        case 'image': {
          const img = e.type === 'image' ? e.actorId : (e.attributes.image ?? '');
          return img === v || img.split(':')[0] === v || e.attributes.name === v;
        }
        case 'label': {
          const eq = v.indexOf('=');
          return eq === -1 ? v in e.attributes : e.attributes[v.slice(0, eq)] === v.slice(eq + 1);
        }
        case 'scope':
          return v === 'local';
        default:
          return false;
      }
    });
    if (!ok) return false;
  }
  return true;
}
