/**
 * Framing between berthd and a berth-shim monitor (see the header of helper/native/berth-shim.c):
 * [type u8][length u32 BE][payload], both directions.
 */
export const FRAME = {
  /** client → monitor */
  attach: 0x41, // 'A' payload: u8 flags; monitor answers 'A' "ok"
  stdin: 0x49, // 'I'
  stdinEnd: 0x43, // 'C'
  resize: 0x52, // 'R' u16 rows, u16 cols
  kill: 0x4b, // 'K' u32 signal; answer 'K' "0" or error text
  start: 0x53, // 'S'; answer 'S' "ok" or "error <message>"
  /** monitor → client */
  hello: 0x48, // 'H' "<created|running|exited> <pid> <monitor-pid>"
  stdout: 1,
  stderr: 2,
  exit: 0x58, // 'X' exit record JSON
} as const;

export const ATTACH_FLAG = { stdin: 1, stdout: 2, stderr: 4, closeStdinOnEnd: 8 } as const;

/** The monitor refuses frames above 64 KiB; stdin is split well below. */
export const MAX_STDIN_FRAME = 32 * 1024;

export interface Frame {
  type: number;
  payload: Buffer;
}

export function encodeFrame(type: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

export function encodeResize(rows: number, cols: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(Math.max(0, Math.min(65535, rows)), 0);
  b.writeUInt16BE(Math.max(0, Math.min(65535, cols)), 2);
  return encodeFrame(FRAME.resize, b);
}

export function encodeKill(signal: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(signal, 0);
  return encodeFrame(FRAME.kill, b);
}

/** Incremental decoder: feed socket chunks, get whole frames. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Frame[] = [];
    let off = 0;
    while (this.pending.length - off >= 5) {
      const len = this.pending.readUInt32BE(off + 1);
      if (this.pending.length - off < 5 + len) break;
      out.push({ type: this.pending[off]!, payload: this.pending.subarray(off + 5, off + 5 + len) });
      off += 5 + len;
    }
    this.pending = off === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(off);
    return out;
  }
}

/** exit.json as the monitor writes it. */
export interface ExitRecord {
  exitCode: number;
  signal: number;
  oomKills: number;
  startedAt: string;
  finishedAt: string;
  /** false when the process never got past execve (start failure, or killed while created). */
  started: boolean;
}

export function parseExitRecord(text: string): ExitRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<ExitRecord>;
    if (typeof v.exitCode !== 'number' || typeof v.finishedAt !== 'string') return undefined;
    return {
      exitCode: v.exitCode,
      signal: typeof v.signal === 'number' ? v.signal : 0,
      oomKills: typeof v.oomKills === 'number' ? v.oomKills : 0,
      startedAt: typeof v.startedAt === 'string' ? v.startedAt : '',
      finishedAt: v.finishedAt,
      started: v.started === true,
    };
  } catch {
    return undefined;
  }
}
