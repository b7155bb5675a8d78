import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { errnoCode, unavailable } from '../../lib/errors';
import { FRAME, FrameDecoder, encodeFrame, type Frame } from './monitor-protocol';

export const MONITOR_SOCKET = 'm.sock';

/** sun_path holds 108 bytes; longer state dirs are reached through /proc/self/fd/<dirfd>. */
const MAX_SOCKET_PATH = 100;

export interface MonitorHello {
  state: 'created' | 'running' | 'exited';
  pid: number;
  monitorPid: number;
}

/**
 * One connection to a monitor's socket. Emits 'frame' (every frame after the hello) and 'close'.
 * `request` sends a frame whose answer is a frame of the same type (kill, start, attach), matched
 * in FIFO order.
 */
export class MonitorConnection extends EventEmitter {
  private readonly waiting = new Map<number, Array<(payload: string | Error) => void>>();
  private closed = false;

  private constructor(
    readonly socket: Socket,
    readonly hello: MonitorHello,
    // The hello's decoder may already hold bytes of the next frames: keep using its state.
    private readonly decoder: FrameDecoder,
  ) {
    super();
  }

  /** Connects and waits for the hello. Rejects with the errno code (ENOENT, ECONNREFUSED) when no monitor listens. */
  static open(stateDir: string, timeoutMs = 10_000): Promise<MonitorConnection> {
    const direct = join(stateDir, MONITOR_SOCKET);
    let dirFd: number | undefined;
    let path = direct;
    if (direct.length > MAX_SOCKET_PATH) {
      dirFd = openSync(stateDir, 'r');
      path = `/proc/self/fd/${dirFd}/${MONITOR_SOCKET}`;
    }
    return new Promise((resolve, reject) => {
      const socket = connect({ path });
      const decoder = new FrameDecoder();
      const releaseDir = (): void => {
        if (dirFd !== undefined) closeSync(dirFd);
        dirFd = undefined;
      };
      const timer = setTimeout(() => fail(unavailable('MONITOR_TIMEOUT', `monitor in ${stateDir} did not answer`)), timeoutMs);
      const fail = (err: unknown): void => {
        clearTimeout(timer);
        releaseDir();
        socket.destroy();
        reject(err);
      };
      socket.once('connect', releaseDir);
      socket.once('error', fail);
      socket.once('close', () => fail(Object.assign(new Error('monitor closed the connection'), { code: 'ECONNRESET' })));
      const onData = (chunk: Buffer): void => {
        const frames = decoder.push(chunk);
        if (frames.length === 0) return;
        const first = frames[0]!;
        if (first.type !== FRAME.hello) return fail(new Error('monitor protocol error: no hello'));
        const [state, pid, monitorPid] = first.payload.toString().split(' ');
        clearTimeout(timer);
        socket.off('data', onData);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        const conn = new MonitorConnection(
          socket,
          { state: state === 'running' || state === 'exited' ? state : 'created', pid: Number(pid), monitorPid: Number(monitorPid) },
          decoder,
        );
        conn.wire(frames.slice(1));
        resolve(conn);
      };
      socket.on('data', onData);
    });
  }

  private wire(early: Frame[]): void {
    this.socket.on('data', (chunk: Buffer) => this.dispatch(this.decoder.push(chunk)));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      for (const list of this.waiting.values()) for (const w of list) w(unavailable('MONITOR_GONE', 'monitor connection closed'));
      this.waiting.clear();
      this.emit('close');
    });
    // Let the caller subscribe before the early frames are delivered.
    queueMicrotask(() => this.dispatch(early));
  }

  private dispatch(frames: Frame[]): void {
    for (const f of frames) {
      const list = this.waiting.get(f.type);
      const waiter = list?.shift();
      if (waiter) {
        waiter(f.payload.toString());
        continue;
      }
      this.emit('frame', f);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(frame: Buffer): boolean {
    if (this.closed) return false;
    return this.socket.write(frame);
  }

  /** Send a frame and wait for the monitor's answer frame of the same type. */
  request(type: number, payload: Buffer | string = Buffer.alloc(0)): Promise<string> {
    return this.requestRaw(type, encodeFrame(type, payload));
  }

  requestRaw(type: number, frame: Buffer): Promise<string> {
    if (this.closed) return Promise.reject(unavailable('MONITOR_GONE', 'monitor connection closed'));
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(type) ?? [];
      list.push((v) => (v instanceof Error ? reject(v) : resolve(v)));
      this.waiting.set(type, list);
      this.socket.write(frame);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** True when a monitor answers on the state dir's socket. */
export async function monitorAlive(stateDir: string): Promise<boolean> {
  try {
    const c = await MonitorConnection.open(stateDir, 3000);
    c.close();
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET') return false;
    throw err;
  }
}
