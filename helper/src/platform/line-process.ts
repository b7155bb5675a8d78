import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { basename } from 'node:path';
import { internal } from '../lib/errors';

/**
 * A long-lived helper/native tool fed requests over stdin (each field NUL-terminated) and answering
 * each with one line on stdout, in order. Node lacks some syscalls (getxattr, lsetxattr, mknod); one
 * process per directory serves a whole walk, so the cost is one spawn, not one per file.
 *
 * Lifecycle: the process starts on the first `request` and ends on `close()` (always call it). If
 * it cannot be spawned, or exits with requests unanswered, those and every later request reject
 * with `<codePrefix>_SPAWN` / `<codePrefix>_EXIT`.
 */
export class LineProcess {
  private child?: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private buffered = '';
  private failure?: Error;

  constructor(
    private readonly binary: string,
    private readonly args: readonly string[],
    private readonly codePrefix: string,
  ) {}

  /** Sends one request and resolves with its answer line (without the newline). Fields must not contain NUL. */
  request(fields: readonly string[]): Promise<string> {
    const child = this.start();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      child.stdin.write(fields.map((f) => `${f}\0`).join(''));
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
    const child = spawn(this.binary, [...this.args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      // latin1 maps bytes 1:1, so a chunk boundary can never split a character.
      this.buffered += d.toString('latin1');
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) !== -1) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.pending.shift()?.resolve(line);
      }
    });
    const fail = (err: Error): void => {
      this.failure = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    child.on('error', (err) => fail(internal(`${this.codePrefix}_SPAWN`, `cannot run ${this.binary}: ${err.message}`, err)));
    child.on('close', (code) => {
      if (this.pending.length > 0) fail(internal(`${this.codePrefix}_EXIT`, `${basename(this.binary)} exited with ${code}: ${stderr.trim()}`));
    });
    child.stdin.on('error', () => undefined);
    return child;
  }
}
