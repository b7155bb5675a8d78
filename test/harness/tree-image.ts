/**
 * Image fixtures built from real directory trees with GNU tar (the way `docker build` layers look:
 * PAX headers with SCHILY.xattr records, numeric owners, hardlinks stored once), and the
 * "node_modules-like" small-files tree the pull benchmark and the small-files pull test share.
 *
 * `tarTree` packs a list of paths (or a whole directory) into a layer blob; `smallFilesTree`
 * writes the deterministic tree (42,000 files) to a directory; `smallFilesImage` is the busybox
 * base plus that tree as one layer, cached on disk because building it takes a few seconds.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, linkSync, lutimesSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync, writeSync, chownSync, lchownSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './berthd';
import { FIXTURE_EPOCH, MEDIA_TYPES, busyboxLayer, buildImage, sha256, type FixtureImage, type LayerBlob } from './fixtures';

export const FSUTIL_BIN = join(REPO_ROOT, 'helper/native/build/berth-fsutil');
export const GETXATTR_BIN = join(REPO_ROOT, 'helper/native/build/berth-getxattr');

/** The xattr names the small-files tree sets (the compare test reads exactly these). */
export const SMALL_FILES_XATTRS = ['user.berth.origin', 'user.berth.integrity', 'user.berth.kind'] as const;

/**
 * Packs `paths` (relative to `dir`, in the given order, no recursion) or, without `paths`, the whole
 * of `dir` (sorted) into a gzip'd layer. `extra` adds entries from other directories (e.g.
 * whiteout files staged elsewhere): `[stagingDir, relPaths]`.
 */
export async function tarTree(dir: string, opts: { paths?: string[]; extra?: [string, string[]][]; level?: number } = {}): Promise<LayerBlob> {
  const common = ['--format=posix', '--pax-option=delete=atime,delete=ctime', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-cf', '-'];
  let args: string[];
  let list: string | undefined;
  if (opts.paths) {
    const lines = [...opts.paths];
    for (const [d, ps] of opts.extra ?? []) lines.push('-C', d, ...ps);
    list = lines.join('\n') + '\n';
    args = [...common, '-C', dir, '--no-recursion', '--verbatim-files-from', '-T', '-'];
  } else {
    args = [...common, '--sort=name', '-C', dir, ...listTop(dir)];
  }
  const tar = await run('tar', args, list);
  const tgz = await run('gzip', ['-n', `-${opts.level ?? 6}`], tar);
  return { tgz, digest: sha256(tgz), diffId: sha256(tar), size: tgz.length, mediaType: MEDIA_TYPES.dockerLayer };
}

function listTop(dir: string): string[] {
  return execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

function run(cmd: string, args: string[], input?: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 500)}`))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Sets xattrs through berth-fsutil (Node has no setxattr): one process for the whole list. */
export function setXattrs(root: string, items: { path: string; name: string; value: Buffer }[]): void {
  if (items.length === 0) return;
  const input = items.map((i) => `setxattr\0${i.path}\0${i.name}\0${i.value.toString('hex')}\0`).join('');
  const out = execFileSync(FSUTIL_BIN, [root], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  const bad = out.split('\n').filter((l) => l !== '' && l !== '0');
  if (bad.length) throw new Error(`setxattr failed: ${bad[0]}`);
}

// ---------------------------------------------------------------------------------------------
// The node_modules-like tree

/** Small, fast, seeded PRNG (mulberry32): the tree is the same on every run and machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'const let return function module exports require value options callback error result index length buffer string object array promise async await this prototype default import from export typeof undefined null true false if else for while switch case break new class extends super static get set'.split(' ');

function jsText(rand: () => number, bytes: number): Buffer {
  const parts: string[] = ["'use strict';\n"];
  let n = parts[0]!.length;
  while (n < bytes) {
    const w = WORDS[Math.floor(rand() * WORDS.length)]!;
    const sep = rand() < 0.12 ? ';\n' : rand() < 0.2 ? '(' : ' ';
    parts.push(w, sep);
    n += w.length + sep.length;
  }
  return Buffer.from(parts.join('').slice(0, bytes));
}

export interface SmallFilesStats {
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
}

/**
 * Writes the node_modules-like tree into `root` (must not exist): `app/node_modules` with ~700
 * packages (scoped ones too), each with package.json, README, lib/ trees up to 6 levels deep of
 * small .js/.d.ts/.map files, nested node_modules, `.bin` symlinks, LICENSE files hardlinked from a
 * shared store (pnpm-style), owners 1000:1000 and root, modes 0644/0755/0600, spread mtimes and
 * user.* xattrs. About 42,000 regular files.
 */
export function smallFilesTree(root: string, target = 42_000): SmallFilesStats {
  const rand = prng(0x5eed);
  const stats: SmallFilesStats = { files: 0, dirs: 0, symlinks: 0, hardlinks: 0 };
  const xattrs: { path: string; name: string; value: Buffer }[] = [];
  const dirTimes: [string, number][] = [];
  let clock = FIXTURE_EPOCH.getTime() / 1000;
  const tick = () => (clock += 1 + Math.floor(rand() * 3600));
  const mkdir = (rel: string, uid = 1000, mode = 0o755) => {
    mkdirSync(join(root, rel));
    chownSync(join(root, rel), uid, uid);
    chmodSync(join(root, rel), mode);
    dirTimes.push([rel, tick()]);
    stats.dirs++;
  };
  const file = (rel: string, content: Buffer, mode = 0o644, uid = 1000) => {
    const abs = join(root, rel);
    const fd = openSync(abs, 'wx', 0o600);
    writeSync(fd, content);
    closeSync(fd);
    chownSync(abs, uid, uid);
    chmodSync(abs, mode);
    const t = tick();
    utimesSync(abs, t, t);
    stats.files++;
  };
  mkdirSync(root);
  mkdir('app', 1000);
  mkdir('app/.store', 1000);
  const licenses = ['MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause'];
  for (const l of licenses) file(`app/.store/LICENSE-${l}`, Buffer.from(`${l} License\n\n${jsText(rand, 900).toString()}\n`));
  file('app/package.json', Buffer.from(JSON.stringify({ name: 'berth-bench-app', version: '1.0.0', private: true }, null, 2)));
  mkdir('app/node_modules');
  mkdir('app/node_modules/.bin');
  let pkgIndex = 0;
  const addPackage = (base: string, depth: number): void => {
    const scoped = rand() < 0.15 && depth === 0;
    const name = `${scoped ? '@scope' + (pkgIndex % 7) + '/' : ''}pkg-${(pkgIndex++).toString(36)}`;
    if (scoped && !existsSync(join(root, base, name.split('/')[0]!))) mkdir(`${base}/${name.split('/')[0]!}`);
    const dir = `${base}/${name}`;
    mkdir(dir);
    file(`${dir}/package.json`, Buffer.from(JSON.stringify({ name, version: `1.${pkgIndex % 13}.${pkgIndex % 7}`, main: 'lib/index.js', license: 'MIT' }, null, 2) + '\n'));
    file(`${dir}/README.md`, jsText(rand, 200 + Math.floor(rand() * 3000)));
    const lic = licenses[Math.floor(rand() * licenses.length)]!;
    linkSync(join(root, `app/.store/LICENSE-${lic}`), join(root, `${dir}/LICENSE`));
    stats.hardlinks++;
    if (rand() < 0.25) {
      mkdir(`${dir}/bin`);
      file(`${dir}/bin/cli.js`, Buffer.concat([Buffer.from('#!/usr/bin/env node\n'), jsText(rand, 300)]), 0o755);
      if (depth === 0) {
        const bin = join(root, `app/node_modules/.bin/${name.replace('/', '__')}`);
        symlinkSync(`../${name}/bin/cli.js`, bin);
        lchownSync(bin, 1000, 1000);
        const t = tick();
        lutimesSync(bin, t, t);
        stats.symlinks++;
      }
    }
    // lib/: a tree of small sources, 1..6 levels deep.
    mkdir(`${dir}/lib`);
    const nFiles = 20 + Math.floor(rand() * 60);
    const libDirs = [`${dir}/lib`];
    let first = '';
    for (let i = 0; i < nFiles; i++) {
      if (rand() < 0.18 && libDirs[libDirs.length - 1]!.split('/').length - dir.split('/').length < 7) {
        const sub = `${libDirs[Math.floor(rand() * libDirs.length)]!}/${WORDS[Math.floor(rand() * WORDS.length)]!}${i}`;
        mkdir(sub);
        libDirs.push(sub);
      }
      const d = libDirs[Math.floor(rand() * libDirs.length)]!;
      const kind = rand();
      const ext = kind < 0.6 ? 'js' : kind < 0.8 ? 'd.ts' : kind < 0.95 ? 'js.map' : 'json';
      const size = Math.floor(Math.exp(4 + rand() * 4.5)); // ~55 B .. ~5 KB, skewed small
      const rel = `${d}/f${i}.${ext}`;
      if (i === 0) first = rel.slice(dir.length + 1);
      file(rel, jsText(rand, size), rand() < 0.02 ? 0o600 : 0o644, rand() < 0.05 ? 0 : 1000);
      if (rand() < 0.01) xattrs.push({ path: rel, name: 'user.berth.origin', value: Buffer.from(`registry.npmjs.org/${name}`) });
      if (rand() < 0.01) xattrs.push({ path: rel, name: 'user.berth.integrity', value: Buffer.from(`sha512-${createHash('sha512').update(rel).digest('base64')}`) });
    }
    // `index.js` at the package root pointing into lib/, as many packages ship.
    const idx = join(root, `${dir}/index.js`);
    symlinkSync(first, idx);
    lchownSync(idx, 1000, 1000);
    stats.symlinks++;
    // Values are text: tar-stream decodes PAX records as UTF-8, so binary xattr values do not survive (see the report).
    if (rand() < 0.05) xattrs.push({ path: `${dir}/package.json`, name: 'user.berth.kind', value: Buffer.from(depth === 0 ? 'direct' : 'nested') });
    // Nested node_modules: a dependency pinned at another version.
    if (depth < 3 && rand() < 0.3) {
      mkdir(`${dir}/node_modules`);
      const n = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) addPackage(`${dir}/node_modules`, depth + 1);
    }
  };
  while (stats.files < target) addPackage('app/node_modules', 0);
  setXattrs(root, xattrs);
  // Directory mtimes last (creating entries bumps them), deepest first.
  for (const [rel, t] of dirTimes.sort((a, b) => b[0].length - a[0].length)) utimesSync(join(root, rel), t, t);
  return stats;
}

/** Where built benchmark trees and blobs are kept between runs. */
export const BENCH_CACHE_DIR = '/var/cache/berth-bench';

/** A layer blob cached as `<dir>/layer.tgz` + `meta.json` (atomic writes; verified on load). */
export async function cachedBlob(dir: string, make: () => Promise<LayerBlob>): Promise<LayerBlob> {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { digest: string; diffId: string };
    const tgz = readFileSync(join(dir, 'layer.tgz'));
    if (sha256(tgz) === meta.digest) return { tgz, digest: meta.digest, diffId: meta.diffId, size: tgz.length, mediaType: MEDIA_TYPES.dockerLayer };
  } catch {
    // not cached yet
  }
  const blob = await make();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `layer.tgz.${process.pid}.tmp`), blob.tgz);
  renameSync(join(dir, `layer.tgz.${process.pid}.tmp`), join(dir, 'layer.tgz'));
  writeFileSync(join(dir, `meta.json.${process.pid}.tmp`), JSON.stringify({ digest: blob.digest, diffId: blob.diffId }));
  renameSync(join(dir, `meta.json.${process.pid}.tmp`), join(dir, 'meta.json'));
  return blob;
}

/**
 * The small-files tree, built once into `<cache>/small-files-v2/tree` (`stats.json`, written last, marks
 * a complete build). Returns its path and stats.
 */
export function smallFilesSource(cacheDir = BENCH_CACHE_DIR): { dir: string; stats: SmallFilesStats } {
  const base = join(cacheDir, 'small-files-v2');
  const dir = join(base, 'tree');
  const marker = join(base, 'stats.json');
  if (existsSync(marker) && existsSync(dir)) return { dir, stats: JSON.parse(readFileSync(marker, 'utf8')) as SmallFilesStats };
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const stats = smallFilesTree(dir);
  writeFileSync(`${marker}.tmp`, JSON.stringify(stats));
  renameSync(`${marker}.tmp`, marker);
  return { dir, stats };
}

/** busybox base + the small-files tree as one layer (`COPY . /` of a node app). */
export async function smallFilesImage(cacheDir = BENCH_CACHE_DIR): Promise<{ image: FixtureImage; source: string; stats: SmallFilesStats }> {
  const { dir, stats } = smallFilesSource(cacheDir);
  const layer = await cachedBlob(join(cacheDir, 'small-files-v2', 'blob'), () => tarTree(dir));
  const base = await busyboxLayer();
  const image = buildImage({
    layers: [base, layer],
    history: [{ created_by: `/bin/sh -c #(nop) ADD file:${base.diffId.slice(7, 71)} in / ` }, { created_by: 'COPY . / # buildkit' }],
    config: { Cmd: ['sh'], WorkingDir: '/app' },
  });
  return { image, source: dir, stats };
}
