import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { internal } from '../lib/errors';

/**
 * Client of helper/native/berth-getxattr, started in one directory (a layer's `diff`) for a
 * fixed list of attribute names. Node has no getxattr; one long-lived process answers every
 * path of a walk in order, so a layer costs one spawn, not one per file.
 *
 * Lifecycle: the process starts on the first `get` and ends on `close()` (always call it).
 */
export class XattrReader {
  private child?: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve: (v: (Buffer | undefined)[]) => void; reject: (e: Error) => void; path: string }[] = [];
  private buffered = '';
  private failure?: Error;

  constructor(
    private readonly binary: string,
    private readonly root: string,
    private readonly names: readonly string[],
  ) {}

  /** The values of the configured names for `rel` (relative to the root), undefined where absent. Never follows a final symlink. */
  get(rel: string): Promise<(Buffer | undefined)[]> {
    if (rel.includes('\0')) return Promise.reject(internal('XATTR_BAD_PATH', `NUL in path ${JSON.stringify(rel)}`));
    const child = this.start();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject, path: rel });
      child.stdin.write(`${rel === '' ? '.' : rel}\0`);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) await new Promise<void>((resolve) => child.once('close', () => resolve()));
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.binary, [this.root, ...this.names], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      this.buffered += d.toString('latin1');
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) !== -1) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const p = this.pending.shift();
        if (p) this.answer(p, line);
      }
    });
    const fail = (err: Error): void => {
      this.failure = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    child.on('error', (err) => fail(internal('XATTR_SPAWN', `cannot run ${this.binary}: ${err.message}`, err)));
    child.on('close', (code) => {
      if (this.pending.length > 0) fail(internal('XATTR_EXIT', `berth-getxattr exited with ${code}: ${stderr.trim()}`));
    });
    child.stdin.on('error', () => undefined);
    return child;
  }

  private answer(p: { resolve: (v: (Buffer | undefined)[]) => void; reject: (e: Error) => void; path: string }, line: string): void {
    const fields = line.split(' ');
    const values: (Buffer | undefined)[] = [];
    for (const f of fields) {
      if (f.startsWith('!')) {
        p.reject(internal('XATTR_FAILED', `getxattr ${JSON.stringify(p.path)}: errno ${f.slice(1)}`));
        return;
      }
      values.push(f === '-' ? undefined : f === '=' ? Buffer.alloc(0) : Buffer.from(f, 'hex'));
    }
    p.resolve(values);
  }
}
