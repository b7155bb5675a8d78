/**
 * Demultiplexes Docker's stdcopy framing (non-TTY logs, attach and exec output): each frame is an
 * 8-byte header [stream, 0, 0, 0, size as big-endian uint32] followed by `size` payload bytes.
 * Stream 0 = stdin (echoed on stdout), 1 = stdout, 2 = stderr, 3 = system error. Frames may be
 * split across chunks and several may arrive in one chunk; the demuxer buffers only what it must.
 */
export type StdStream = 'stdout' | 'stderr' | 'system';

export class StdcopyDemuxer {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(private readonly onFrame: (stream: StdStream, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    let buf = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingLength);
    let offset = 0;
    while (buf.length - offset >= 8) {
      const size = buf.readUInt32BE(offset + 4);
      if (buf.length - offset - 8 < size) break;
      const type = buf[offset] ?? 1;
      const payload = buf.subarray(offset + 8, offset + 8 + size);
      offset += 8 + size;
      if (size > 0) this.onFrame(type === 2 ? 'stderr' : type === 3 ? 'system' : 'stdout', payload);
    }
    buf = buf.subarray(offset);
    this.pending = buf.length > 0 ? [buf] : [];
    this.pendingLength = buf.length;
  }

  /** Bytes of an incomplete frame still held (non-zero at end of stream = truncated stream). */
  get buffered(): number {
    return this.pendingLength;
  }
}
