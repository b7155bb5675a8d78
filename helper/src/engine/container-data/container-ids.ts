/**
 * A running container's user namespace maps, for the views of it berthd reads through
 * `/proc/<pid>/root`: under userns-remap that view shows host ids (container root is 100000…),
 * so cp and export map them back to container ids, and cp into it maps the archive's ids to the
 * host (moby's archive does the same with the daemon's IdentityMapping). A stopped container's
 * view mounts its stored (unshifted) layers, which already hold container ids.
 */
import { readFile, readlink } from 'node:fs/promises';
import { invalidArgument } from '../../lib/errors';
import type { IdMap } from '../../runtime/runtime';

export interface ContainerIdMaps {
  uid: IdMap[];
  gid: IdMap[];
}

/** The overflow id the kernel shows for a host id the container has no mapping for. */
const OVERFLOW_ID = 65534;

export function parseIdMapFile(text: string): IdMap[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isInteger(n)))
    .map(([containerId = 0, hostId = 0, size = 0]) => ({ containerId, hostId, size }));
}

/** The maps of a running container's user namespace; undefined when it shares berthd's. */
export async function containerIdMapsOf(pid: number): Promise<ContainerIdMaps | undefined> {
  const [mine, theirs] = await Promise.all([readlink('/proc/self/ns/user'), readlink(`/proc/${pid}/ns/user`)]);
  if (mine === theirs) return undefined;
  const [uid, gid] = await Promise.all([readFile(`/proc/${pid}/uid_map`, 'utf8'), readFile(`/proc/${pid}/gid_map`, 'utf8')]);
  return { uid: parseIdMapFile(uid), gid: parseIdMapFile(gid) };
}

/** A host id as the container sees it (the overflow id when unmapped, as `stat` inside shows). */
export function idInContainer(maps: readonly IdMap[], hostId: number): number {
  const m = maps.find((r) => hostId >= r.hostId && hostId < r.hostId + r.size);
  return m ? m.containerId + (hostId - m.hostId) : OVERFLOW_ID;
}

/** A container id on the host; refused when the container's maps do not cover it. */
export function idOnHost(maps: readonly IdMap[], id: number): number {
  const m = maps.find((r) => id >= r.containerId && id < r.containerId + r.size);
  if (!m) throw invalidArgument('ARCHIVE_ID_UNMAPPED', `container ID ${id} cannot be mapped to a host ID`);
  return m.hostId + (id - m.containerId);
}
