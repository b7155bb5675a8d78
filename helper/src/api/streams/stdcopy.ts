/** moby's stdcopy stream ids (pkg/stdcopy): the first byte of each frame header. */
export const enum StdStream {
  Stdin = 0,
  Stdout = 1,
  Stderr = 2,
  System = 3,
}

const HEADER = 8;
/** A frame's length is a uint32; cut payloads well below it so readers never buffer huge frames. */
const MAX_FRAME = 1 << 20;

/**
 * Frames a payload as moby's stdcopy writer does: `[stream,0,0,0,len(be32)]` then the bytes.
 * Payloads above 1 MiB become several frames. An empty payload produces no frame (an empty
 * frame would be a valid no-op, but dockerd never sends one).
 */
export function frame(stream: StdStream, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  if (data.length === 0) return Buffer.alloc(0);
  if (data.length <= MAX_FRAME) return withHeader(stream, data);
  const parts: Buffer[] = [];
  for (let off = 0; off < data.length; off += MAX_FRAME) parts.push(withHeader(stream, data.subarray(off, off + MAX_FRAME)));
  return Buffer.concat(parts);
}

function withHeader(stream: StdStream, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + data.length);
  out.writeUInt32BE(0, 0);
  out[0] = stream;
  out.writeUInt32BE(data.length, 4);
  data.copy(out, HEADER);
  return out;
}

/**
 * Incremental reader of a stdcopy stream (for tests and Berth's own clients): push chunks as they
 * arrive, get whole frames back; a partial frame is kept until the rest arrives.
 */
export class StdcopyDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { stream: StdStream; data: Buffer }[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: { stream: StdStream; data: Buffer }[] = [];
    while (this.pending.length >= HEADER) {
      const len = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + len) break;
      const stream = this.pending[0] as StdStream;
      if (stream > StdStream.System) throw new Error(`unrecognized stdcopy stream id ${stream}`);
      out.push({ stream, data: this.pending.subarray(HEADER, HEADER + len) });
      this.pending = this.pending.subarray(HEADER + len);
    }
    return out;
  }

  /** Bytes of an incomplete trailing frame. */
  get buffered(): number {
    return this.pending.length;
  }
}
