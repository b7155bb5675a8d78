/**
 * HostConfig.StorageOpt (`--storage-opt size=…`): dockerd's overlay2 sizes a container's layer
 * with XFS project quotas, and only on a backing filesystem that has them. berthd has no quota
 * support: on any other filesystem it answers as dockerd does; on xfs with pquota, where dockerd
 * would apply it, it says berthd cannot.
 */
import { readFile, statfs } from 'node:fs/promises';

const XFS_SUPER_MAGIC = 0x58465342;

/** Whether `path` lives on xfs mounted with project quotas (the mount's super options in mountinfo). */
async function onXfsWithProjectQuota(path: string): Promise<boolean> {
  const st = await statfs(path).catch(() => undefined);
  if (st?.type !== XFS_SUPER_MAGIC) return false;
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  let best: { point: string; opts: string } | undefined;
  for (const line of info.split('\n')) {
    const [left, right] = line.split(' - ');
    const point = left?.split(' ')[4];
    if (point === undefined || right === undefined) continue;
    if ((path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`)) && (best === undefined || point.length > best.point.length)) {
      best = { point, opts: right.split(' ')[2] ?? '' };
    }
  }
  return best !== undefined && /(^|,)(prjquota|pquota)(,|$)/.test(best.opts);
}

/** The 400's message for a non-empty StorageOpt, given the data root. */
export async function storageOptRefusal(dataRoot: string): Promise<string> {
  return (await onXfsWithProjectQuota(dataRoot))
    ? 'HostConfig.StorageOpt: not supported by berthd (its overlay has no project quota support)'
    : "HostConfig.StorageOpt: --storage-opt is supported only for overlay over xfs with 'pquota' mount option";
}
