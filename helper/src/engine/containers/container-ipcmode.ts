/**
 * `--ipc container:<name|id>`: the container joins a running `--ipc shareable` container's IPC
 * namespace and shares its /dev/shm (moby's rule: only a shareable donor). Stored with the full
 * ID at create, as dockerd; resolved at start.
 */
import { conflict, invalidArgument, notFound } from '../../lib/errors';
import type { ContainerStore } from '../../store/containers/container-store';

const PREFIX = 'container:';

export const isContainerIpcMode = (mode: string): boolean => mode.startsWith(PREFIX);

/** Create-time: the donor must exist; returns the mode with its full ID. */
export function normalizeContainerIpcMode(store: ContainerStore, mode: string): string {
  const ref = mode.slice(PREFIX.length);
  const target = ref === '' ? undefined : store.find(ref);
  if (!target) throw notFound('CONTAINER_NOT_FOUND', `No such container: ${ref}`);
  return `${PREFIX}${target.id}`;
}

/** Start-time: the donor's IPC and mount namespaces (its /dev/shm is cloned from the latter). */
export function joinedIpc(store: ContainerStore, mode: string, runningPid: (id: string) => number | undefined): { ipcns: string; mntns: string } {
  const ref = mode.slice(PREFIX.length);
  const target = store.find(ref);
  if (!target) throw notFound('CONTAINER_NOT_FOUND', `No such container: ${ref}`);
  if (target.hostConfig.ipcMode !== 'shareable') throw invalidArgument('IPC_NOT_SHAREABLE', `can't join IPC of container ${target.id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
  const pid = runningPid(target.id);
  if (pid === undefined) throw conflict('IPC_CONTAINER_NOT_RUNNING', `cannot join IPC of a non running container: ${target.id}`);
  return { ipcns: `/proc/${pid}/ns/ipc`, mntns: `/proc/${pid}/ns/mnt` };
}
