import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { BerthError, internal } from '../lib/errors';

/** One entry of a container filesystem walk or stat (helper/native/berth-cfs.c). */
export interface CfsEntry {
  type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
  /** Permission bits incl. setuid/setgid/sticky (no type bits). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes, for regular files (0 otherwise). */
  size: number;
  mtimeSec: number;
  mtimeNsec: number;
  /** Path relative to the walk's start ('' = the start itself). */
  rel: string;
  linkTarget: string;
  devMajor: number;
  devMinor: number;
  /** `dev:ino`, to find hardlinks; with `nlink`. */
  inode: string;
  nlink: number;
}

/** A mount for a stopped container's view (berth-cfs mount mode). */
export type CfsMount =
  | { kind: 'overlay'; target: string; data: string; cwd?: string }
  | { kind: 'bind'; source: string; destination: string; readOnly: boolean; directory: boolean }
  | { kind: 'tmpfs'; destination: string; data: string };

export interface CfsWalkOptions {
  follow: boolean;
  content: boolean;
  maxDepth: number;
  /** Do not enter directories on another mount than the start (export: the rootfs only). */
  xdev: boolean;
  /** statfs f_type magics whose directories are listed but not entered (proc, sysfs…). */
  skipFs: number[];
}

/** Flags of write operations (see berth-cfs.c). */
export const CFS_NO_OVERWRITE_DIR_NON_DIR = 1;
export const CFS_IF_MISSING = 2;

/** Walked files up to this size are handed over as one Buffer. */
const WHOLE_FILE = 256 << 10;

const TYPES: Record<string, CfsEntry['type']> = { f: 'file', d: 'dir', l: 'symlink', c: 'char', b: 'block', p: 'fifo', s: 'socket' };

/** An errno failure of a berth-cfs operation; the engine maps it to a user-facing error. */
export class CfsError extends BerthError {
  constructor(
    readonly errno: number,
    text: string,
    what: string,
  ) {
    super('Internal', 'CFS_FAILED', `${what}: ${text}`);
  }
}

function hexText(h: string): string {
  return h === '-' ? '' : Buffer.from(h, 'hex').toString('utf8');
}

/**
 * Client of helper/native/berth-cfs: one process per operation on one container's filesystem,
 * every path resolved inside the container's root by the kernel (openat2 RESOLVE_IN_ROOT).
 * Requests are sent as NUL-terminated fields; answers are read in order from stdout, which mixes
 * lines and (for walks with content) raw file bytes.
 *
 * Lifecycle: `open…()` spawns and waits for "ready" (a mount plan that fails rejects with the
 * tool's message); `close()` ends it (always call it). One walk or write session at a time.
 */
export class CfsProcess {
  private readonly it: AsyncIterator<Buffer>;
  private buf: Buffer = Buffer.alloc(0);
  private stderr = '';
  private ended = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.it = (child.stdout as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stdin.on('error', () => undefined);
  }

  /** The root is `dir` (e.g. `/proc/<pid>/root` of a running container). */
  static async openRoot(binary: string, dir: string, fsIds?: { uid: number; gid: number }): Promise<CfsProcess> {
    const args = ['root', dir, ...(fsIds ? [String(fsIds.uid), String(fsIds.gid)] : [])];
    const p = new CfsProcess(spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    await p.ready();
    return p;
  }

  /** A private mount namespace with `mounts` (the overlay first) as the root; nothing is mounted on the host. */
  static async openMounted(binary: string, mounts: CfsMount[]): Promise<CfsProcess> {
    const p = new CfsProcess(spawn(binary, ['mount'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    for (const m of mounts) {
      if (m.kind === 'overlay') p.send(['overlay', m.target, m.data, m.cwd ?? '']);
      else if (m.kind === 'bind') p.send(['bind', m.source, m.destination, m.readOnly ? '1' : '0', m.directory ? '1' : '0']);
      else p.send(['tmpfs', m.destination, m.data]);
    }
    p.send(['end']);
    await p.ready();
    return p;
  }

  private async ready(): Promise<void> {
    let line: string;
    try {
      line = await this.line();
    } catch {
      await this.close();
      throw internal('CFS_START', `cannot open the container filesystem: ${this.stderr.trim() || 'berth-cfs exited'}`);
    }
    if (line !== 'ready') throw internal('CFS_START', `berth-cfs: unexpected ${JSON.stringify(line)}`);
  }

  /**
   * Requests written in one turn of the event loop go to the pipe in one writev: an extraction
   * sends two or three small writes per archive entry, which were one syscall each.
   */
  private corked = false;

  private batch(): void {
    if (this.corked) return;
    this.corked = true;
    this.child.stdin.cork();
    process.nextTick(() => {
      this.corked = false;
      this.child.stdin.uncork();
    });
  }

  /** Writes one request; resolves when the pipe accepted it (backpressure). */
  send(fields: string[], body?: Buffer): Promise<void> | undefined {
    let text = '';
    for (const f of fields) {
      if (f.includes('\0')) throw internal('CFS_BAD_ARG', 'NUL in a path or field');
      text += `${f}\0`;
    }
    this.batch();
    const ok = this.child.stdin.write(text);
    const ok2 = body && body.length > 0 ? this.child.stdin.write(body) : true;
    if (ok && ok2) return undefined;
    return once(this.child.stdin, 'drain').then(() => undefined);
  }

  /** Writes raw bytes (a file body after its `file` request). */
  sendBytes(chunk: Buffer): Promise<void> | undefined {
    this.batch();
    if (this.child.stdin.write(chunk)) return undefined;
    return once(this.child.stdin, 'drain').then(() => undefined);
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const n = await this.it.next();
    if (n.done) {
      this.ended = true;
      return false;
    }
    this.buf = this.buf.length === 0 ? n.value : Buffer.concat([this.buf, n.value]);
    return true;
  }

  /** The next answer line (without the newline). */
  async line(): Promise<string> {
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl !== -1) {
        const line = this.buf.subarray(0, nl).toString('latin1');
        this.buf = this.buf.subarray(nl + 1);
        return line;
      }
      if (!(await this.more())) throw internal('CFS_EXIT', `berth-cfs exited: ${this.stderr.trim()}`);
    }
  }

  /** The next `n` raw bytes, in chunks. */
  async *bytes(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.more())) throw internal('CFS_EXIT', `berth-cfs exited mid-file: ${this.stderr.trim()}`);
      const k = Math.min(left, this.buf.length);
      const chunk = this.buf.subarray(0, k);
      this.buf = this.buf.subarray(k);
      left -= k;
      yield chunk;
    }
  }

  /** Answer of a request that replies `0` or `E <errno> <text>`. */
  async ack(what: string): Promise<void> {
    const line = await this.line();
    if (line === '0') return;
    throw parseError(line, what);
  }

  /**
   * The answer to `what` if it has already arrived: undefined when it has not, null for `0`, else
   * the error. Lets a pipelined writer take a batch of answers without a promise each.
   */
  bufferedAck(what: string): CfsError | null | undefined {
    const nl = this.buf.indexOf(0x0a);
    if (nl === -1) return undefined;
    const line = this.buf.subarray(0, nl).toString('latin1');
    this.buf = this.buf.subarray(nl + 1);
    return line === '0' ? null : parseError(line, what);
  }

  async stat(path: string, follow: boolean): Promise<CfsEntry> {
    await this.send(['stat', path, follow ? '1' : '0']);
    const line = await this.line();
    if (!line.startsWith('0 ')) throw parseError(line, path);
    const [, t, mode, uid, gid, size, sec, nsec, link] = line.split(' ');
    return {
      type: TYPES[t as string] ?? 'file',
      mode: parseInt(mode as string, 8),
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      mtimeSec: Number(sec),
      mtimeNsec: Number(nsec),
      rel: '',
      linkTarget: hexText(link as string),
      devMajor: 0,
      devMinor: 0,
      inode: '',
      nlink: 1,
    };
  }

  /**
   * Walks `path` depth-first (names sorted). For regular files with `content`, `onEntry` gets the
   * bytes: files up to WHOLE_FILE as one Buffer, larger ones as an async iterable it MUST consume
   * fully before returning.
   */
  async walk(path: string, opts: CfsWalkOptions, onEntry: (e: CfsEntry, content?: AsyncIterable<Buffer> | Buffer) => Promise<void>): Promise<void> {
    await this.send(['walk', path, opts.follow ? '1' : '0', opts.content ? '1' : '0', String(opts.maxDepth), opts.xdev ? '1' : '0', opts.skipFs.map((m) => m.toString(16)).join(',')]);
    for (;;) {
      const line = await this.line();
      if (line === '.') return;
      if (line.startsWith('E ')) throw parseError(line, path);
      const [t, mode, uid, gid, size, sec, nsec, maj, min, dev, ino, nlink, rel, link] = line.split(' ');
      const e: CfsEntry = {
        type: TYPES[t as string] ?? 'file',
        mode: parseInt(mode as string, 8),
        uid: Number(uid),
        gid: Number(gid),
        size: Number(size),
        mtimeSec: Number(sec),
        mtimeNsec: Number(nsec),
        devMajor: Number(maj),
        devMinor: Number(min),
        inode: `${dev}:${ino}`,
        nlink: Number(nlink),
        rel: hexText(rel as string),
        linkTarget: hexText(link as string),
      };
      if (e.type === 'file' && opts.content && e.size <= WHOLE_FILE) {
        // Small files (most of a tree) come whole: no async iteration per file.
        while (this.buf.length < e.size) if (!(await this.more())) throw internal('CFS_EXIT', `berth-cfs exited mid-file: ${this.stderr.trim()}`);
        const data = this.buf.subarray(0, e.size);
        this.buf = this.buf.subarray(e.size);
        await onEntry(e, data);
      } else if (e.type === 'file' && opts.content) {
        const body = this.bytes(e.size);
        let consumed = false;
        const tracked = (async function* () {
          for await (const c of body) yield c;
          consumed = true;
        })();
        await onEntry(e, tracked);
        if (!consumed) for await (const _ of tracked) void _;
      } else {
        await onEntry(e);
      }
    }
  }

  async close(): Promise<void> {
    const child = this.child;
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) {
      // Drain what a half-read walk left so the tool can exit.
      void (async () => {
        while (await this.more()) this.buf = Buffer.alloc(0);
      })().catch(() => undefined);
      await new Promise<void>((resolve) => child.once('close', () => resolve()));
    }
  }
}

function parseError(line: string, what: string): CfsError {
  const m = /^E (\d+) (.*)$/.exec(line);
  if (!m) return new CfsError(0, `unexpected answer ${JSON.stringify(line)}`, what);
  return new CfsError(Number(m[1]), m[2] as string, what);
}
