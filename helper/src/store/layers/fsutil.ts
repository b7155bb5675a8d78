import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { internal } from '../../lib/errors';

/**
 * Client of helper/native/berth-fsutil, started in one directory (a layer's diff) and fed
 * requests over stdin: the mknod and lsetxattr calls Node lacks. Requests are answered in order,
 * so each call resolves when its syscall is done. The process is started lazily on first use:
 * most layers need neither call.
 */
export class FsUtil {
  private child?: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve: () => void; reject: (e: Error) => void; what: string }[] = [];
  private buffered = '';
  private exitError?: Error;

  constructor(
    private readonly binary: string,
    private readonly root: string,
  ) {}

  /** Creates a node (`mode` includes the S_IF* type bits) at `rel`, relative to the root. */
  mknod(rel: string, mode: number, major: number, minor: number): Promise<void> {
    return this.call(`mknod ${rel}`, ['mknod', rel, mode.toString(8), String(major), String(minor)]);
  }

  /** lsetxattr on `rel` (does not follow a final symlink). */
  setxattr(rel: string, name: string, value: Buffer): Promise<void> {
    return this.call(`setxattr ${name} ${rel}`, ['setxattr', rel, name, value.toString('hex')]);
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) await new Promise<void>((resolve) => child.once('close', () => resolve()));
  }

  private call(what: string, fields: string[]): Promise<void> {
    if (fields.some((f) => f.includes('\0'))) return Promise.reject(internal('FSUTIL_BAD_ARG', `${what}: NUL in argument`));
    const child = this.start();
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject, what });
      child.stdin.write(fields.map((f) => `${f}\0`).join(''));
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.binary, [this.root], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) !== -1) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const p = this.pending.shift();
        if (!p) continue;
        if (line === '0') p.resolve();
        else {
          const [errno, ...text] = line.split(' ');
          p.reject(Object.assign(internal('FSUTIL_FAILED', `${p.what}: ${text.join(' ')}`), { errno: Number(errno) }));
        }
      }
    });
    const fail = (err: Error): void => {
      this.exitError = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    child.on('error', (err) => fail(internal('FSUTIL_SPAWN', `cannot run ${this.binary}: ${err.message}`, err)));
    child.on('close', (code) => {
      if (this.pending.length > 0) fail(internal('FSUTIL_EXIT', `berth-fsutil exited with ${code}: ${stderr.trim()}`));
    });
    child.stdin.on('error', () => undefined);
    return child;
  }
}
