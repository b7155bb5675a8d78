import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import ignore from '@balena/dockerignore';
import { extract as tarExtract, type Header as TarHeaders } from 'tar-stream';
import { BerthError, invalidArgument } from '../../lib/errors';
import { ContextTree } from './context-tree';

/** A build context read into memory (file bytes spooled privately), with its Dockerfile read. */
export interface BuildContext {
  /** The context's files (after `.dockerignore`). */
  root: ContextTree;
  /** The Dockerfile text. */
  dockerfile: string;
  /** The Dockerfile's path in the context, as given (`Dockerfile`). */
  dockerfileName: string;
  /** Which ignore file applied (`.dockerignore`, `Dockerfile.dockerignore`), if any. */
  ignoreFile?: string;
  /** Closes and removes the spool. */
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

/** Files up to this size are gathered and spooled with one write; larger ones chunk by chunk. */
const SMALL_FILE = 1 << 20;

async function gather(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of entry) chunks.push(c as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/**
 * Reads a tar into the context tree, with the checks an unpack into a directory needs: nothing may
 * land outside the context, so names with `..` that leave, hardlinks to outside names, and entries
 * under a symlink the archive created are refused (symlinks themselves are kept as they are; COPY
 * decides whether following one is allowed). A name given twice replaces the first, a directory
 * given twice keeps its contents.
 */
async function indexTar(input: Readable, tree: ContextTree): Promise<void> {
  const ex = tarExtract();
  const symlinks = new Set<string>();
  const underSymlink = (p: string): boolean => {
    if (symlinks.size === 0) return false;
    for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) if (symlinks.has(p.slice(0, i))) return true;
    return false;
  };
  const consume = (async () => {
    for await (const entry of ex) {
      const h: TarHeaders = entry.header;
      try {
        const rel = cleanContextPath(h.name);
        if (rel === undefined) continue;
        if (underSymlink(rel)) throw invalidArgument('BUILD_CONTEXT_PATH', `invalid build context: ${JSON.stringify(h.name)} is below a symlink`);
        const perm = (h.mode ?? 0o644) & 0o7777;
        const mtime = h.mtime ?? new Date(0);
        switch (h.type) {
          case 'file':
          case 'contiguous-file':
            await tree.addFile(rel, perm, mtime, (h.size ?? 0) <= SMALL_FILE ? [await gather(entry)] : (entry as AsyncIterable<Buffer>));
            continue;
          case 'directory':
            tree.addDir(rel, perm, mtime);
            break;
          case 'symlink':
            tree.addSymlink(rel, h.linkname ?? '', mtime);
            symlinks.add(rel);
            break;
          case 'link': {
            const target = cleanContextPath(h.linkname ?? '');
            if (target === undefined || underSymlink(target)) throw invalidArgument('BUILD_CONTEXT_PATH', `invalid build context: hardlink ${JSON.stringify(h.name)} points outside it`);
            if (!tree.addLink(rel, target)) throw invalidArgument('BUILD_CONTEXT', `invalid build context: hardlink ${JSON.stringify(h.name)} points to ${JSON.stringify(h.linkname)}, which is not a file before it`);
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
}

/**
 * Removes what the ignore patterns exclude (Docker's semantics, through @balena/dockerignore): a
 * file is dropped when excluded; a directory only when excluded and nothing below it is re-included
 * with `!`. The Dockerfile and the ignore file are read before this, as dockerd does.
 */
export function applyIgnore(tree: ContextTree, patterns: string[]): string[] {
  const ig = ignore().add(patterns);
  const all = tree.walk();
  const removed: string[] = [];
  for (const e of all.filter((x) => !x.dir)) {
    if (ig.ignores(e.path)) {
      tree.remove(e.path);
      removed.push(e.path);
    }
  }
  for (const e of all.filter((x) => x.dir).reverse()) {
    if (!ig.ignores(e.path)) continue;
    if (tree.isEmptyDir(e.path)) {
      tree.remove(e.path);
      removed.push(e.path);
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

/**
 * Reads a build context from a request body: a tar (plain, gzip, bzip2 or xz) or a Dockerfile on
 * its own. `dockerfile` is the path in the context (the CLI puts a Dockerfile from outside the
 * context into the tar under a generated name and passes that name).
 */
export async function readBuildContext(body: Readable, opts: { tmpDir: string; dockerfile?: string }): Promise<BuildContext> {
  const dir = join(opts.tmpDir, `build-${randomBytes(8).toString('hex')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let tree: ContextTree | undefined;
  const dispose = async (): Promise<void> => {
    tree?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    tree = new ContextTree(join(dir, 'spool'));
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
      return { root: tree, dockerfile: text, dockerfileName: dfName, dispose };
    }
    await indexTar(stream, tree);
    const dockerfile = tree.readText(dfName);
    if (dockerfile === undefined) {
      throw invalidArgument('BUILD_DOCKERFILE', `Cannot locate specified Dockerfile: ${dfName}`);
    }
    // A `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`.
    let ignoreFile: string | undefined;
    let ignoreText = tree.readText(`${dfName}.dockerignore`);
    if (ignoreText !== undefined) ignoreFile = `${dfName}.dockerignore`;
    else {
      ignoreText = tree.readText('.dockerignore');
      if (ignoreText !== undefined) ignoreFile = '.dockerignore';
    }
    if (ignoreText !== undefined) applyIgnore(tree, parseIgnoreFile(ignoreText));
    return { root: tree, dockerfile, dockerfileName: dfName, ...(ignoreFile !== undefined ? { ignoreFile } : {}), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
