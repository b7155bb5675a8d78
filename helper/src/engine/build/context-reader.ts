import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, rm, rmdir, utimes, chmod } from 'node:fs/promises';
import { chmodSync, closeSync, createWriteStream, fchmodSync, futimesSync, linkSync, lstatSync, mkdirSync, openSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import ignore from '@balena/dockerignore';
import { extract as tarExtract, type Header as TarHeaders } from 'tar-stream';
import { BerthError, errnoCode, invalidArgument } from '../../lib/errors';

/** A build context unpacked into a private directory, with its Dockerfile read. */
export interface BuildContext {
  /** Absolute directory holding the context (after `.dockerignore`). */
  root: string;
  /** The Dockerfile text. */
  dockerfile: string;
  /** The Dockerfile's path in the context, as given (`Dockerfile`). */
  dockerfileName: string;
  /** Which ignore file applied (`.dockerignore`, `Dockerfile.dockerignore`), if any. */
  ignoreFile?: string;
  /** Removes the directory. */
  dispose(): Promise<void>;
}

type Compression = 'none' | 'gzip' | 'bzip2' | 'xz';

/** Docker's archive.DetectCompression by magic bytes. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.length >= 6 && head[0] === 0xfd && head.subarray(1, 6).toString('latin1') === '7zXZ\0') return 'xz';
  return 'none';
}

/** A tar archive has `ustar` at offset 257 of its first header (GNU and POSIX both). */
function looksLikeTar(head: Buffer): boolean {
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

/** Reads the first `n` bytes (or all, if shorter) and gives back a stream of everything. */
async function peek(source: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const it = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    chunks.push(r.value);
    size += r.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}

/** Decompresses bzip2/xz with the system tools, as moby runs `xz -d -c -q`. */
export function decompressWithTool(tool: 'bzip2' | 'xz', input: Readable): Readable {
  const child = spawn(tool, ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  input.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  child.stdout.pipe(out, { end: false });
  child.on('error', (err) => out.destroy(invalidArgument('BUILD_CONTEXT', `cannot decompress the build context with ${tool}: ${err.message}`)));
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(invalidArgument('BUILD_CONTEXT', `invalid ${tool} build context: ${stderr.trim() || `exit ${code}`}`));
  });
  return out;
}

/** `a/./b/` -> `a/b`; undefined when it leaves the root (`../x`) or names the root itself. */
export function cleanContextPath(name: string): string | undefined {
  const p = posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
  if (p === '' || p === '.') return undefined;
  if (name.split('/').includes('..')) {
    const check = posix.normalize(name.replace(/^\/+/, ''));
    if (check === '..' || check.startsWith('../')) throw invalidArgument('BUILD_CONTEXT_PATH', `invalid build context: the path ${JSON.stringify(name)} leaves the context`);
  }
  return p;
}

/** The Dockerfile path the request names, relative to the context root. */
export function dockerfilePath(name: string | undefined): string {
  const n = name === undefined || name === '' ? 'Dockerfile' : name;
  const p = cleanContextPath(n);
  if (p === undefined) throw invalidArgument('BUILD_DOCKERFILE', `the Dockerfile path ${JSON.stringify(n)} is not a file in the build context`);
  return p;
}

/** Files up to this size are gathered and written with one synchronous write; larger ones stream. */
const SMALL_FILE = 1 << 20;

async function gather(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of entry) chunks.push(c as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/**
 * Unpacks a tar into an empty directory. Nothing may land outside it: names with `..` that
 * leave, hardlinks to outside names, and entries under a symlink the archive created are refused
 * (symlinks themselves are kept as they are; COPY decides whether following one is allowed).
 *
 * A context is mostly small files: each is written with a few synchronous calls (open, write,
 * fchmod, futimes, close) rather than half a dozen thread-pool round trips, and parents are
 * made once. A path is only cleared first when the archive names it twice.
 */
async function untar(input: Readable, root: string): Promise<void> {
  const ex = tarExtract();
  const symlinks = new Set<string>();
  const made = new Set<string>([root]);
  const seen = new Set<string>();
  const dirTimes: { path: string; mtime: Date }[] = [];
  const underSymlink = (p: string): boolean => {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) if (symlinks.has(parts.slice(0, i).join('/'))) return true;
    return false;
  };
  const parentOf = (abs: string): void => {
    const parent = dirname(abs);
    if (made.has(parent)) return;
    mkdirSync(parent, { recursive: true });
    made.add(parent);
  };
  const clear = (rel: string, abs: string): void => {
    if (seen.has(rel)) rmSync(abs, { recursive: true, force: true });
    seen.add(rel);
  };
  const consume = (async () => {
    for await (const entry of ex) {
      const h: TarHeaders = entry.header;
      try {
        const rel = cleanContextPath(h.name);
        if (rel === undefined) continue;
        if (underSymlink(rel)) throw invalidArgument('BUILD_CONTEXT_PATH', `invalid build context: ${JSON.stringify(h.name)} is below a symlink`);
        const abs = join(root, rel);
        parentOf(abs);
        const mode = (h.mode ?? 0o644) & 0o7777;
        const mtime = h.mtime ?? new Date(0);
        switch (h.type) {
          case 'file':
          case 'contiguous-file': {
            clear(rel, abs);
            if ((h.size ?? 0) <= SMALL_FILE) {
              const data = await gather(entry);
              const fd = openSync(abs, 'w', mode);
              try {
                writeSync(fd, data);
                fchmodSync(fd, mode);
                futimesSync(fd, mtime, mtime);
              } finally {
                closeSync(fd);
              }
            } else {
              await pipeline(entry, createWriteStream(abs, { mode }));
              await chmod(abs, mode);
              await utimes(abs, mtime, mtime);
            }
            continue;
          }
          case 'directory': {
            if (seen.has(rel)) {
              const st = lstatSync(abs, { throwIfNoEntry: false });
              if (st && !st.isDirectory()) rmSync(abs, { force: true });
            }
            seen.add(rel);
            mkdirSync(abs, { recursive: true });
            made.add(abs);
            chmodSync(abs, mode);
            dirTimes.push({ path: abs, mtime });
            break;
          }
          case 'symlink': {
            clear(rel, abs);
            symlinkSync(h.linkname ?? '', abs);
            symlinks.add(rel);
            break;
          }
          case 'link': {
            const target = cleanContextPath(h.linkname ?? '');
            if (target === undefined || underSymlink(target)) throw invalidArgument('BUILD_CONTEXT_PATH', `invalid build context: hardlink ${JSON.stringify(h.name)} points outside it`);
            clear(rel, abs);
            linkSync(join(root, target), abs);
            break;
          }
          default:
            // Devices, FIFOs and pax bookkeeping are not build inputs.
            break;
        }
        entry.resume();
      } catch (err) {
        entry.resume();
        throw err;
      }
    }
  })();
  try {
    await Promise.all([pipeline(input, ex), consume]);
  } catch (err) {
    ex.destroy();
    if (err instanceof BerthError) throw err;
    throw invalidArgument('BUILD_CONTEXT', `invalid build context: ${(err as Error).message}`, err);
  }
  for (const d of dirTimes.reverse()) await utimes(d.path, d.mtime, d.mtime).catch(() => undefined);
}

/** Every path below `root` (relative, `/`-separated), directories before their contents. */
async function walk(root: string, rel = ''): Promise<{ path: string; dir: boolean }[]> {
  const out: { path: string; dir: boolean }[] = [];
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    out.push({ path: p, dir: e.isDirectory() });
    if (e.isDirectory()) out.push(...(await walk(root, p)));
  }
  return out;
}

/**
 * Removes what the ignore patterns exclude (Docker's semantics, through @balena/dockerignore): a
 * file is dropped when excluded; a directory only when excluded and nothing below it is re-included
 * with `!`. The Dockerfile and the ignore file are read before this, as dockerd does.
 */
export async function applyIgnore(root: string, patterns: string[]): Promise<string[]> {
  const ig = ignore().add(patterns);
  const all = await walk(root);
  const removed: string[] = [];
  for (const e of all.filter((x) => !x.dir)) {
    if (ig.ignores(e.path)) {
      await rm(join(root, e.path), { force: true });
      removed.push(e.path);
    }
  }
  for (const e of all.filter((x) => x.dir).reverse()) {
    if (!ig.ignores(e.path)) continue;
    try {
      await rmdir(join(root, e.path));
      removed.push(e.path);
    } catch (err) {
      if (errnoCode(err) !== 'ENOTEMPTY' && errnoCode(err) !== 'EEXIST') throw err;
    }
  }
  return removed;
}

/** `.dockerignore` lines: comments and blanks dropped, as the CLI reads them. */
export function parseIgnoreFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

async function readIfFile(path: string): Promise<string | undefined> {
  try {
    const st = await lstat(path);
    if (!st.isFile()) return undefined;
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Reads a build context from a request body: a tar (plain, gzip, bzip2 or xz) or a Dockerfile on
 * its own. `dockerfile` is the path in the context (the CLI puts a Dockerfile from outside the
 * context into the tar under a generated name and passes that name).
 */
export async function readBuildContext(body: Readable, opts: { tmpDir: string; dockerfile?: string }): Promise<BuildContext> {
  const root = join(opts.tmpDir, `build-${randomBytes(8).toString('hex')}`);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dispose = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    const first = await peek(body, 6);
    const compression = detectCompression(first.head);
    let plain: Readable = first.stream;
    if (compression === 'gzip') plain = first.stream.pipe(createGunzip());
    else if (compression !== 'none') plain = decompressWithTool(compression, first.stream);
    const { head, stream } = await peek(plain, 512);
    const dfName = dockerfilePath(opts.dockerfile);
    if (!looksLikeTar(head)) {
      // A Dockerfile alone (`docker build - < Dockerfile` from an API client): no context files.
      const chunks: Buffer[] = [];
      for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') throw invalidArgument('BUILD_CONTEXT', 'the build context is empty: send a tar archive or a Dockerfile');
      return { root, dockerfile: text, dockerfileName: dfName, dispose };
    }
    await untar(stream, root);
    const dockerfile = await readIfFile(join(root, dfName));
    if (dockerfile === undefined) {
      throw invalidArgument('BUILD_DOCKERFILE', `Cannot locate specified Dockerfile: ${dfName}`);
    }
    // A `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`.
    let ignoreFile: string | undefined;
    let ignoreText = await readIfFile(join(root, `${dfName}.dockerignore`));
    if (ignoreText !== undefined) ignoreFile = `${dfName}.dockerignore`;
    else {
      ignoreText = await readIfFile(join(root, '.dockerignore'));
      if (ignoreText !== undefined) ignoreFile = '.dockerignore';
    }
    if (ignoreText !== undefined) await applyIgnore(root, parseIgnoreFile(ignoreText));
    return { root, dockerfile, dockerfileName: dfName, ...(ignoreFile !== undefined ? { ignoreFile } : {}), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
