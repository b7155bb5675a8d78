import type { EventMessageDto } from '../../src-shared/docker-api/containers';
import type { EngineEventView } from '../../src-shared/ipc/models/system';
import type { HostsService } from './hosts-service';

export function toEngineEventView(hostId: string, e: EventMessageDto): EngineEventView {
  return {
    hostId,
    type: e.Type,
    action: e.Action,
    id: e.Actor?.ID ?? e.id ?? '',
    attributes: e.Actor?.Attributes ?? {},
    time: e.timeNano ? Math.floor(e.timeNano / 1e6) : e.time * 1000,
  };
}

/**
 * Engine events for the renderer. Each host keeps ONE upstream `/events` stream (HostSession),
 * fanned out to every subscriber here, so opening the containers view twice costs nothing
 * upstream and nobody polls.
 */
export class EventsService {
  constructor(private readonly hosts: HostsService) {}

  subscribe(hostId: string, types: string[] | undefined, listener: (e: EngineEventView) => void): () => void {
    const session = this.hosts.session(hostId);
    const wanted = types && types.length > 0 ? new Set(types) : null;
    return session.onEvent((e) => {
      if (wanted && !wanted.has(e.Type)) return;
      listener(toEngineEventView(hostId, e));
    });
  }
}
