import type { EngineEventView } from '../../../../../src-shared/ipc/models/system';

/**
 * Actions that change what the list or details show; exec, attach, resize and top do not.
 * `health_status: healthy` changes the status text (`Up 1 minute (healthy)`); engines send it only when the health changes.
 */
const LIST_ACTIONS = new Set(['create', 'start', 'restart', 'die', 'stop', 'destroy', 'rename', 'pause', 'unpause', 'oom', 'update', 'kill', 'health_status']);

export function isListChangingEvent(event: EngineEventView): boolean {
  if (event.type !== 'container') return false;
  const action = event.action.split(':')[0]?.trim() ?? '';
  return LIST_ACTIONS.has(action);
}
