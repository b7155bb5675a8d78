/**
 * Pulls the node_modules-like small-files image (42,000 files in deep trees, symlinks, hardlinks,
 * several owners and modes, xattrs: the pull benchmark's fixture) and compares every entry of the
 * applied layer with the source tree it was packed from: type, content, mode, owner, mtime,
 * xattrs, symlink target and link count.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { GETXATTR_BIN, SMALL_FILES_XATTRS, smallFilesImage } from '../harness/tree-image';

/** Every path under `root` (relative), depth first, sorted per directory. */
function walk(root: string, rel = '', out: string[] = []): string[] {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    out.push(r);
    if (lstatSync(join(root, r)).isDirectory()) walk(root, r, out);
  }
  return out;
}

/** One comparable line per path: what a user of the image sees of it. */
function describeEntry(root: string, rel: string): string {
  const abs = join(root, rel);
  const st = lstatSync(abs);
  const common = `${rel} mode=${st.mode.toString(8)} owner=${st.uid}:${st.gid} mtime=${Math.floor(st.mtimeMs / 1000)} nlink=${st.nlink}`;
  if (st.isSymbolicLink()) return `${common} -> ${readlinkSync(abs)}`;
  if (st.isFile()) return `${common} size=${st.size} sha256=${createHash('sha256').update(readFileSync(abs)).digest('hex')}`;
  return common;
}

/** The xattrs the fixture sets, per path (berth-getxattr prints hex values, '-' when absent). */
function xattrs(root: string, paths: string[]): string[] {
  const out = execFileSync(GETXATTR_BIN, [root, ...SMALL_FILES_XATTRS], { input: paths.map((p) => `${p}\0`).join(''), encoding: 'utf8', maxBuffer: 256 << 20 });
  const lines = out.split('\n').slice(0, paths.length);
  return lines.map((l, i) => `${paths[i]} ${l}`);
}

describe.skipIf(!IS_ROOT)('images: pull of a small-files image keeps every file as it was', () => {
  let registry: RegistryHandle;
  let d: BerthdHandle;
  let source: string;
  let ref: string;

  beforeAll(async () => {
    const built = await smallFilesImage();
    source = built.source;
    expect(built.stats.files).toBeGreaterThanOrEqual(40_000);
    registry = await startRegistry();
    await pushImage(registry.url, 'small/files', 'v1', built.image);
    ref = `${registry.host}/small/files:v1`;
    d = await startBerthd({ logLevel: 'info' });
  }, 900_000);
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
  });

  it('pulls it and every file matches the source tree: content, mode, owner, mtime, xattrs, link count', async () => {
    const r = await docker(d.dockerHost, ['pull', ref], { timeoutMs: 600_000 });
    expect(r.code, r.stderr).toBe(0);
    const upper = await docker(d.dockerHost, ['image', 'inspect', '--format', '{{.GraphDriver.Data.UpperDir}}', ref]);
    expect(upper.code, upper.stderr).toBe(0);
    const diff = upper.stdout.trim();

    const want = walk(source);
    const got = walk(diff);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
    const mismatches: string[] = [];
    for (const rel of want) {
      const a = describeEntry(source, rel);
      const b = describeEntry(diff, rel);
      if (a !== b) mismatches.push(`want ${a}\n  got ${b}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    const wantX = xattrs(source, want);
    const gotX = xattrs(diff, want);
    // The fixture really carries xattrs, so this comparison cannot pass vacuously.
    expect(wantX.filter((l) => l.split(' ').slice(1).some((f) => /^[0-9a-f]+$/.test(f))).length).toBeGreaterThan(100);
    expect(gotX).toEqual(wantX);
    // Hardlinks came through as links, not copies.
    expect(want.filter((p) => /\/LICENSE$/.test(p) && lstatSync(join(diff, p)).nlink > 1).length).toBeGreaterThan(500);
  }, 900_000);
});
