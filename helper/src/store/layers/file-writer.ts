import { Worker } from 'node:worker_threads';

/**
 * Writes small regular files of a layer on a second thread while the applier goes on parsing: on a
 * layer of tens of thousands of small files the applier's own thread was busy half the time with
 * tar parsing and half with file syscalls, one after the other. Only the creation of a new file
 * under a directory the applier already made and checked is handed over (open O_EXCL|O_NOFOLLOW,
 * write, owner, mode, mtime, close): every decision (names, parents, replacements, links) stays
 * with the applier, which waits for this writer (`flush`) before it touches a path it sent here.
 */
export interface PendingFile {
  /** Absolute path; its parent is a directory the applier created in this layer. */
  path: string;
  /** Permission bits incl. setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  chown: boolean;
  chmod: boolean;
  body: Buffer[];
  size: number;
}

// Plain CommonJS run by the worker (an eval worker needs no file in the bundle).
const WRITER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
parentPort.on('message', ({ id, files, data }) => {
  const buf = Buffer.from(data);
  let error;
  for (const f of files) {
    let fd;
    try {
      fd = fs.openSync(f.path, FLAGS, f.mode & 0o777);
      let off = f.off;
      const end = f.off + f.len;
      while (off < end) off += fs.writeSync(fd, buf, off, end - off);
      if (f.chown) fs.fchownSync(fd, f.uid, f.gid);
      if (f.chmod) fs.fchmodSync(fd, f.mode);
      fs.futimesSync(fd, f.mtime / 1000, f.mtime / 1000);
    } catch (err) {
      error = { message: err.message, code: err.code };
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    if (error) break;
  }
  parentPort.postMessage({ id, error });
});
`;

const BATCH_BYTES = 1 << 20;
const BATCH_FILES = 256;
/** Batches sent and not answered before `add` makes the applier wait (bounds memory). */
const MAX_OUTSTANDING = 8;

export class FileWriter {
  private readonly worker: Worker;
  private batch: PendingFile[] = [];
  private batchBytes = 0;
  private nextId = 0;
  private readonly outstanding = new Map<number, () => void>();
  private error: Error | undefined;
  private waiters: (() => void)[] = [];
  /** Paths queued or sent and not written yet, by batch. */
  private readonly inFlight = new Set<string>();
  private readonly batchPaths = new Map<number, string[]>();

  constructor() {
    this.worker = new Worker(WRITER_SOURCE, { eval: true });
    this.worker.on('message', (m: { id: number; error?: { message: string; code?: string } }) => {
      if (m.error && !this.error) this.error = Object.assign(new Error(m.error.message), { code: m.error.code });
      for (const path of this.batchPaths.get(m.id) ?? []) this.inFlight.delete(path);
      this.batchPaths.delete(m.id);
      this.outstanding.get(m.id)?.();
      this.outstanding.delete(m.id);
      const wake = this.waiters;
      this.waiters = [];
      for (const w of wake) w();
    });
    this.worker.on('error', (err) => {
      this.error ??= err;
      this.inFlight.clear();
      this.batchPaths.clear();
      for (const done of this.outstanding.values()) done();
      this.outstanding.clear();
    });
  }

  /** True while files sent here may not exist yet. */
  get busy(): boolean {
    return this.batch.length > 0 || this.outstanding.size > 0;
  }

  /** True while `path` was handed over and may not exist yet. */
  has(path: string): boolean {
    return this.inFlight.has(path);
  }

  /** Queues a file; resolves at once, or after a batch completes when too many are in flight. */
  add(file: PendingFile): Promise<void> | undefined {
    this.batch.push(file);
    this.inFlight.add(file.path);
    this.batchBytes += file.size;
    if (this.batchBytes < BATCH_BYTES && this.batch.length < BATCH_FILES) return undefined;
    this.send();
    if (this.outstanding.size < MAX_OUTSTANDING) return undefined;
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Sends what is queued and waits until every file sent exists; throws the first failure (once: the writer is then clean for the next layer). */
  async flush(): Promise<void> {
    if (this.batch.length > 0) this.send();
    await Promise.all([...this.outstanding.keys()].map((id) => new Promise<void>((resolve) => {
      const prev = this.outstanding.get(id);
      this.outstanding.set(id, () => {
        prev?.();
        resolve();
      });
    })));
    const err = this.error;
    this.error = undefined;
    if (err) throw err;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private send(): void {
    const data = new ArrayBuffer(this.batchBytes);
    const view = Buffer.from(data);
    let off = 0;
    const files = this.batch.map((f) => {
      const start = off;
      for (const c of f.body) {
        c.copy(view, off);
        off += c.length;
      }
      return { path: f.path, mode: f.mode, uid: f.uid, gid: f.gid, mtime: f.mtime.getTime(), chown: f.chown, chmod: f.chmod, off: start, len: off - start };
    });
    const id = this.nextId++;
    this.batchPaths.set(id, this.batch.map((f) => f.path));
    this.outstanding.set(id, () => undefined);
    this.worker.postMessage({ id, files, data }, [data]);
    this.batch = [];
    this.batchBytes = 0;
  }
}
