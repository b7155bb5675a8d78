import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { invalidArgument, notFound } from '../../lib/errors';
import type { SourceEntry, SourceRoot } from './source-root';

/** One resolved COPY/ADD source and where it lands. */
export interface CopyItem {
  /** As written (after variable expansion), for messages. */
  source: string;
  entry: SourceEntry;
  /** Absolute destination path in the image (for a directory: the directory its contents go into). */
  dest: string;
  /** ADD of a local archive: unpack it into `dest`. */
  extract: boolean;
}

export interface CopyPlan {
  items: CopyItem[];
  /** `file:<hex>`, `dir:<hex>` or `multi:<hex>`: the content checksum in history and the cache key. */
  hash: string;
}

const WILDCARD = /[*?[\\]/;

/** Go's filepath.Match for one path segment (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes). */
export function matchSegment(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i] as string}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) throw invalidArgument('BUILD_COPY_PATTERN', `syntax error in pattern ${pattern}`);
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(name);
}

/** Source paths matching a pattern, segment by segment (sorted like Go's filepath.Walk). */
async function expandWildcard(root: SourceRoot, pattern: string): Promise<string[]> {
  const segs = pattern.split('/').filter((s) => s !== '' && s !== '.');
  let found: string[] = [''];
  for (const seg of segs) {
    const next: string[] = [];
    for (const base of found) {
      if (!WILDCARD.test(seg)) {
        const p = base === '' ? seg : `${base}/${seg}`;
        if (await root.lstat(p)) next.push(p);
        continue;
      }
      const dir = base === '' ? '' : base;
      const st = await root.resolve(dir, true);
      if (!st?.st.isDirectory()) continue;
      for (const name of await root.list(st.rel)) if (matchSegment(seg, name)) next.push(base === '' ? name : `${base}/${name}`);
    }
    found = next;
  }
  return found;
}

/**
 * The content checksum of a source, as the classic builder's cache uses it: names below it, types,
 * permission bits, link targets and file bytes; never timestamps (so a touched but unchanged file
 * still hits the cache, as in dockerd).
 */
export async function sourceChecksum(root: SourceRoot, entry: SourceEntry, name: string): Promise<string> {
  const h = createHash('sha256');
  const visit = async (e: SourceEntry, rel: string): Promise<void> => {
    const mode = (e.st.mode & 0o7777).toString(8);
    if (e.st.isDirectory()) {
      h.update(`d ${rel} ${mode}\n`);
      for (const n of await root.list(e.rel)) {
        const child = await root.lstat(e.rel === '' ? n : `${e.rel}/${n}`);
        if (child) await visit(child, rel === '' ? n : `${rel}/${n}`);
      }
    } else if (e.st.isSymbolicLink()) h.update(`l ${rel} ${await root.readlink(e)}\n`);
    else if (e.st.isFile()) h.update(`f ${rel} ${mode} ${e.st.size} ${await root.digest(e)}\n`);
  };
  await visit(entry, name);
  return h.digest('hex');
}

/**
 * Resolves COPY/ADD sources (wildcards, symlinks followed inside the root) and destinations with
 * moby's rules: a directory's contents are copied into the destination; a file lands at the
 * destination unless it ends in `/` or is an existing directory; several sources need a `/` at the
 * end of the destination.
 */
export async function planCopy(opts: {
  kind: 'COPY' | 'ADD';
  sources: string[];
  /** Absolute, with its trailing slash kept. */
  dest: string;
  root: SourceRoot;
  /** The image being built on, to know whether the destination is an existing directory. */
  target: SourceRoot;
  /** `build context` or `stage build` etc., for messages. */
  rootName: string;
  /** Whether local archives are unpacked (ADD from the context). */
  isArchive?: (root: SourceRoot, e: SourceEntry) => Promise<boolean>;
}): Promise<CopyPlan> {
  const { root, target } = opts;
  const endsInSlash = opts.dest.endsWith('/');
  const destClean = posix.normalize(opts.dest);
  const destEntry = await target.resolve(destClean, true);
  const destIsDir = destEntry?.st.isDirectory() ?? false;
  const resolved: { source: string; entry: SourceEntry }[] = [];
  for (const src of opts.sources) {
    const rel = src.replace(/^\/+/, '');
    const paths = WILDCARD.test(rel) ? await expandWildcard(root, rel) : [rel];
    if (WILDCARD.test(rel) && paths.length === 0) continue;
    for (const p of paths) {
      const entry = await root.resolve(p, true);
      if (!entry) {
        throw notFound('BUILD_SOURCE_NOT_FOUND', `${opts.kind} failed: file not found in ${opts.rootName}: stat ${src}: file does not exist`);
      }
      resolved.push({ source: p === '' ? '.' : p, entry });
    }
  }
  if (resolved.length === 0) throw invalidArgument('BUILD_NO_SOURCE', `${opts.kind} failed: no source files were specified`);
  if (resolved.length > 1 && !endsInSlash) throw invalidArgument('BUILD_COPY_DEST', `When using ${opts.kind} with more than one source file, the destination must be a directory and end with a /`);
  const items: CopyItem[] = [];
  const hashes: string[] = [];
  for (const { source, entry } of resolved) {
    const base = posix.basename(source === '.' ? '' : source);
    if (entry.st.isDirectory()) {
      items.push({ source, entry, dest: destClean, extract: false });
      hashes.push(`dir:${await sourceChecksum(root, entry, '')}`);
      continue;
    }
    const extract = opts.kind === 'ADD' && opts.isArchive !== undefined && entry.st.isFile() && (await opts.isArchive(root, entry));
    const dest = extract ? destClean : endsInSlash || destIsDir ? posix.join(destClean, base) : destClean;
    items.push({ source, entry, dest, extract });
    hashes.push(`file:${await sourceChecksum(root, entry, extract ? '' : base)}`);
  }
  const hash = hashes.length === 1 ? (hashes[0] as string) : `multi:${createHash('sha256').update(hashes.join(',')).digest('hex')}`;
  return { items, hash };
}
