/**
 * `--pid container:<name|id>`: the container's processes run in another running container's pid
 * namespace (they see each other; the other's init is PID 1 and takes them along when it exits).
 * Stored with the full ID at create, as dockerd; joined at start.
 */
import { conflict, notFound } from '../../lib/errors';
import type { ContainerStore } from '../../store/containers/container-store';

const PREFIX = 'container:';

export const isContainerPidMode = (mode: string): boolean => mode.startsWith(PREFIX);

/** Create-time: the other container must exist; returns the mode with its full ID. */
export function normalizeContainerPidMode(store: ContainerStore, mode: string): string {
  const ref = mode.slice(PREFIX.length);
  const target = ref === '' ? undefined : store.find(ref);
  if (!target) throw notFound('CONTAINER_NOT_FOUND', `No such container: ${ref}`);
  return `${PREFIX}${target.id}`;
}

/** Start-time: the pid namespace to join; a 409 when the other container does not run. */
export function joinedPidns(store: ContainerStore, mode: string, runningPid: (id: string) => number | undefined): string {
  const ref = mode.slice(PREFIX.length);
  const target = store.find(ref);
  if (!target) throw notFound('CONTAINER_NOT_FOUND', `No such container: ${ref}`);
  const pid = runningPid(target.id);
  if (pid === undefined) throw conflict('PID_CONTAINER_NOT_RUNNING', `container ${target.id} is not running`);
  return `/proc/${pid}/ns/pid`;
}
