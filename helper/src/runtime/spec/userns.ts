/**
 * userns-remap policy of a container's plan: the maps, which mounts are idmapped, and the owners of
 * what the runtime itself creates. Design (README "User namespaces"): every namespace is set up by
 * host root, so /proc, sysfs, hostname, devices and the network need nothing special; the UTS and
 * IPC ones are created inside the user namespace (it owns them, as under runc), the mount, pid,
 * cgroup and network ones outside it (the network one as dockerd's libnetwork does); image layers
 * and the container's own layer are mounted idmapped, so stored files keep their container owners
 * (images are shared with unremapped containers, and cp, commit, diff and export read them as
 * stored); the process joins the user namespace last.
 */
import { isAbsolute, dirname, resolve } from 'node:path';
import { invalidArgument } from '../../lib/errors';
import type { IdMap, RootfsSpec, UsernsMaps } from '../runtime';
import type { PlanRecord } from './plan';

/** A container id on the host; refuses one outside the maps (it would show as the overflow id). */
export function hostIdOf(maps: readonly IdMap[], id: number, what: string): number {
  const m = maps.find((r) => id >= r.containerId && id < r.containerId + r.size);
  if (!m) throw invalidArgument('USERNS_UNMAPPED_ID', `${what} ${id} is outside the user namespace's mapping`);
  return m.hostId + (id - m.containerId);
}

/** The monitor's records: the maps it writes for the new user namespace. */
export function usernsMapRecords(u: UsernsMaps): PlanRecord[] {
  return [
    ...u.uidMap.map((m): PlanRecord => ['uidmap', m.containerId, m.hostId, m.size]),
    ...u.gidMap.map((m): PlanRecord => ['gidmap', m.containerId, m.hostId, m.size]),
    // The setup runs as container root's host ids, so what it creates belongs to container root.
    ['fsroot', hostIdOf(u.uidMap, 0, 'uid'), hostIdOf(u.gidMap, 0, 'gid')],
  ];
}

/**
 * The host directories to over-mount idmapped before the overlay is mounted: each lower layer, and
 * the container layer's directory holding upperdir and workdir (overlayfs wants both on one mount).
 */
export function layerIdmapRecords(mount: NonNullable<RootfsSpec['mount']>): PlanRecord[] {
  const base = mount.cwd ?? '/';
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const opt = (k: string): string | undefined => mount.options.find((o) => o.startsWith(`${k}=`))?.slice(k.length + 1);
  const paths: string[] = [];
  for (const l of (opt('lowerdir') ?? '').split(':').filter(Boolean)) paths.push(abs(l));
  const upper = opt('upperdir');
  const work = opt('workdir');
  if (upper !== undefined) {
    const dir = dirname(abs(upper));
    if (work === undefined || dirname(abs(work)) !== dir) throw invalidArgument('USERNS_LAYOUT', `upperdir and workdir must share a directory to be idmapped: ${upper}, ${work ?? ''}`);
    paths.push(dir);
  }
  return [...new Set(paths)].map((p): PlanRecord => ['idmap', p]);
}

/**
 * tmpfs data for a tmpfs the container owns (/dev, /dev/shm, --tmpfs): runc mounts them inside the
 * user namespace, so they belong to container root; here uid=/gid= say so, and a uid=/gid= the
 * user gave (container ids) is mapped to the host.
 */
export function tmpfsDataFor(data: string, u: UsernsMaps | undefined): string {
  if (!u) return data;
  const opts = data.split(',').filter(Boolean);
  const out = opts.map((o) => {
    const [k, v] = o.split('=');
    if ((k === 'uid' || k === 'gid') && v !== undefined && /^\d+$/.test(v)) return `${k}=${hostIdOf(k === 'uid' ? u.uidMap : u.gidMap, Number(v), `tmpfs ${k}`)}`;
    return o;
  });
  if (!opts.some((o) => o.startsWith('uid='))) out.push(`uid=${hostIdOf(u.uidMap, 0, 'uid')}`);
  if (!opts.some((o) => o.startsWith('gid='))) out.push(`gid=${hostIdOf(u.gidMap, 0, 'gid')}`);
  return out.join(',');
}
