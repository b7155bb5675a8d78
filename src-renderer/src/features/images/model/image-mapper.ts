import type { PruneResultView } from '../../../../../src-shared/ipc/models/containers';
import type { DiskUsageView } from '../../../../../src-shared/ipc/models/system';
import type { ImageDetailView, ImageHistoryEntryView, ImageLayersView, ImageView } from '../../../../../src-shared/ipc/models/images';
import { formatAgo, formatBytes, shortId } from '../../../lib/format';
import { detectShellForm, toShellFormWarning, type ShellFormWarningView } from '../../../lib/shell-form';

export interface ImageRowView {
  /** Unique per row: one row per repo:tag, as `docker images`. */
  key: string;
  id: string;
  shortId: string;
  /** `repo:tag`, or `<none>:<none>` for a dangling image. */
  repoTag: string;
  /** What actions address: the repo:tag, or the id for a dangling image. */
  ref: string;
  size: string;
  sharedSize: string;
  uniqueSize: string;
  created: string;
  containers: string;
  dangling: boolean;
  /** Raw values the table sorts by. */
  sizeBytes: number;
  uniqueBytes: number;
  createdAt: number;
  containerCount: number;
}

export function toImageRowViews(images: readonly ImageView[], now: number): ImageRowView[] {
  const rows: ImageRowView[] = [];
  const sorted = [...images].sort((a, b) => b.created - a.created);
  for (const img of sorted) {
    const common = {
      id: img.id,
      shortId: shortId(img.id),
      size: formatBytes(img.size),
      sharedSize: img.sharedSize === null ? '—' : formatBytes(img.sharedSize),
      uniqueSize: img.uniqueSize === null ? '—' : formatBytes(img.uniqueSize),
      created: formatAgo(img.created, now),
      containers: img.containers < 0 ? '—' : String(img.containers),
      dangling: img.dangling,
      sizeBytes: img.size,
      uniqueBytes: img.uniqueSize ?? img.size,
      createdAt: img.created,
      containerCount: img.containers,
    };
    if (img.repoTags.length === 0) rows.push({ ...common, key: img.id, repoTag: '<none>:<none>', ref: img.id });
    for (const tag of img.repoTags) rows.push({ ...common, key: `${img.id}/${tag}`, repoTag: tag, ref: tag });
  }
  return rows;
}

/**
 * The header's "4 images, 253 MB on disk": the disk figure is `system df`'s (every layer once), not
 * a sum over images, which counts a shared base layer once per image.
 */
export function toImagesSummary(images: readonly ImageView[], df: DiskUsageView | undefined): string {
  const count = `${images.length} image${images.length === 1 ? '' : 's'}`;
  if (!df) return count;
  return `${count}, ${formatBytes(df.images.size)} on disk (${formatBytes(df.images.reclaimable)} reclaimable)`;
}

/** What an image prune removed besides images: dockerd lists layers and untagged references too. */
export function imagePruneDetail(r: PruneResultView): string | null {
  const parts: string[] = [];
  if (r.untagged && r.untagged.length > 0) parts.push(`${r.untagged.length} reference${r.untagged.length === 1 ? '' : 's'} untagged`);
  if (r.layersDeleted) parts.push(`${r.layersDeleted} layer${r.layersDeleted === 1 ? '' : 's'} deleted`);
  return parts.length > 0 ? parts.join(', ') : null;
}

export interface ShellFormFlagView {
  /** Short badge text, e.g. `shell-form CMD`. */
  label: string;
  /** Why it matters and the fix, for the badge's tooltip and accessible name. */
  title: string;
}

/** The list row's flag for an image whose CMD/ENTRYPOINT puts a shell at PID 1; null otherwise. */
export function toShellFormFlag(d: Pick<ImageDetailView, 'config'> | undefined): ShellFormFlagView | null {
  if (!d) return null;
  const finding = detectShellForm({ Entrypoint: d.config.entrypoint, Cmd: d.config.cmd });
  if (!finding) return null;
  const w = toShellFormWarning(finding);
  return { label: `shell-form ${finding.field}`, title: `${w.title}. ${w.why} Fix: ${w.fix}` };
}

export interface ImageDetailPageView {
  title: string;
  facts: { key: string; value: string }[];
  pid1Warning: ShellFormWarningView | null;
}

export function toImageDetailPage(d: ImageDetailView): ImageDetailPageView {
  const finding = detectShellForm({ Entrypoint: d.config.entrypoint, Cmd: d.config.cmd });
  return {
    title: d.repoTags[0] ?? shortId(d.id),
    facts: [
      { key: 'ID', value: d.id },
      { key: 'Tags', value: d.repoTags.join(', ') || '<none>' },
      { key: 'Digests', value: d.repoDigests.join(', ') || '—' },
      { key: 'Created', value: new Date(d.created).toLocaleString() },
      { key: 'Size', value: formatBytes(d.size) },
      { key: 'Platform', value: `${d.os}/${d.architecture}` },
      { key: 'Entrypoint', value: d.config.entrypoint ? JSON.stringify(d.config.entrypoint) : '—' },
      { key: 'Cmd', value: d.config.cmd ? JSON.stringify(d.config.cmd) : '—' },
      { key: 'Working dir', value: d.config.workingDir || '/' },
      { key: 'User', value: d.config.user || 'root' },
      { key: 'Stop signal', value: d.config.stopSignal ?? 'SIGTERM' },
      { key: 'Env', value: d.config.env.join('  ') || '—' },
    ],
    pid1Warning: finding ? toShellFormWarning(finding) : null,
  };
}

export interface HistoryRowView {
  key: string;
  id: string;
  created: string;
  createdBy: string;
  size: string;
  empty: boolean;
  comment: string;
}

/** Dockerfile steps read better without the builder's `/bin/sh -c #(nop) ` prefix. */
export function cleanCreatedBy(createdBy: string): string {
  return createdBy.replace(/^\/bin\/sh -c #\(nop\)\s+/, '').replace(/^\/bin\/sh -c /, 'RUN ');
}

export function toHistoryRows(history: readonly ImageHistoryEntryView[], now: number): HistoryRowView[] {
  return history.map((h, i) => ({
    key: `${i}`,
    id: h.id === '<missing>' ? '<missing>' : shortId(h.id),
    created: formatAgo(h.created, now),
    createdBy: cleanCreatedBy(h.createdBy),
    size: formatBytes(h.size),
    empty: h.empty,
    comment: h.comment,
  }));
}

export interface LayerRowView {
  key: string;
  index: number;
  diffId: string;
  size: string;
  createdBy: string;
  shared: boolean;
  sharedWith: string;
}

export function toLayerRows(view: ImageLayersView): LayerRowView[] {
  return view.layers.map((l, i) => ({
    key: `${i}:${l.diffId}`,
    index: i + 1,
    diffId: shortId(l.diffId),
    size: l.size === null ? '—' : formatBytes(l.size),
    createdBy: l.createdBy ? cleanCreatedBy(l.createdBy) : '—',
    shared: l.sharedWith.length > 0,
    sharedWith: l.sharedWith.length > 0 ? `shared with ${l.sharedWith.join(', ')}` : 'only this image',
  }));
}

