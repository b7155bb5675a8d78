import { connect, type Socket } from 'node:net';
import { AppError } from '../lib/app-error';

/**
 * A minimal QMP client (qemu's JSON control protocol): one command at a time, replies matched in
 * order, asynchronous events ignored. Used to add and remove port forwards while the guest runs
 * and to power it off.
 */
export class QmpClient {
  private buf = '';
  private waiters: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString();
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (line === '') continue;
        const msg = JSON.parse(line) as { return?: unknown; error?: { desc: string }; event?: string; QMP?: unknown };
        if (msg.event !== undefined || msg.QMP !== undefined) continue;
        const w = this.waiters.shift();
        if (!w) continue;
        if (msg.error) w.reject(new AppError('Internal', 'QMP_ERROR', msg.error.desc));
        else w.resolve(msg.return);
      }
    });
    sock.on('close', () => {
      for (const w of this.waiters.splice(0)) w.reject(new AppError('Unavailable', 'QMP_CLOSED', 'the machine closed its control socket'));
    });
  }

  static async open(path: string): Promise<QmpClient> {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(s));
      s.once('error', (e) => reject(new AppError('Unavailable', 'QMP_UNAVAILABLE', `cannot reach the machine's control socket: ${e.message}`)));
    });
    const c = new QmpClient(sock);
    await c.execute('qmp_capabilities');
    return c;
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const run = (): Promise<unknown> =>
      new Promise((resolve, reject) => {
        this.waiters.push({ resolve, reject });
        this.sock.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
      });
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** An HMP command through QMP (hostfwd_add/remove have no QMP form). Returns HMP's text. */
  async hmp(commandLine: string): Promise<string> {
    return String(await this.execute('human-monitor-command', { 'command-line': commandLine }));
  }

  close(): void {
    this.sock.destroy();
  }
}
