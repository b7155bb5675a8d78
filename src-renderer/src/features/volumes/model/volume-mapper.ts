import type { VolumeFileEntryView, VolumeView } from '../../../../../src-shared/ipc/models/volumes';
import { formatAgo, formatBytes } from '../../../lib/format';

export interface VolumeRowView {
  name: string;
  /** Anonymous volumes have 64-hex names: shown shortened, full name in the title. */
  displayName: string;
  anonymous: boolean;
  driver: string;
  /** Bytes for sorting; -1 when unknown. */
  sizeBytes: number;
  size: string;
  /** "web, db (running)", or "—" when unused. */
  usedBy: string;
  inUse: boolean;
  created: string;
  createdMs: number;
  /** Driver options as `type=tmpfs o=size=10m`, '' for a plain directory. */
  options: string;
}

export function toVolumeRowView(v: VolumeView, now: number): VolumeRowView {
  return {
    name: v.name,
    displayName: /^[0-9a-f]{64}$/.test(v.name) ? `${v.name.slice(0, 12)}…` : v.name,
    anonymous: v.anonymous,
    driver: v.driver,
    sizeBytes: v.size ?? -1,
    size: v.size === null ? '—' : formatBytes(v.size),
    usedBy: v.containers.length === 0 ? '—' : v.containers.map((c) => (c.running ? `${c.name} (running)` : c.name)).join(', '),
    inUse: v.containers.length > 0,
    created: v.created > 0 ? formatAgo(v.created, now) : '—',
    createdMs: v.created,
    options: Object.entries(v.options)
      .map(([k, val]) => `${k}=${val}`)
      .join(' '),
  };
}

/** `ls -l` style mode string: `drwxr-x---`. */
export function modeString(type: VolumeFileEntryView['type'], mode: number): string {
  const t = type === 'dir' ? 'd' : type === 'symlink' ? 'l' : type === 'other' ? '?' : '-';
  const bits = ['r', 'w', 'x'];
  let s = t;
  for (let i = 8; i >= 0; i--) s += mode & (1 << i) ? (bits[(8 - i) % 3] ?? '-') : '-';
  return s;
}

/** The parent of an absolute path inside a volume (`/a/b` -> `/a`, `/a` -> `/`). */
export function parentPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  parts.pop();
  return `/${parts.join('/')}`;
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** Breadcrumbs of a path: [{label: 'volume root', path: '/'}, {label: 'a', path: '/a'}, …]. */
export function breadcrumbs(path: string): { label: string; path: string }[] {
  const parts = path.split('/').filter(Boolean);
  return [{ label: '/', path: '/' }, ...parts.map((p, i) => ({ label: p, path: `/${parts.slice(0, i + 1).join('/')}` }))];
}
