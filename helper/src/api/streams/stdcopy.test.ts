import { describe, expect, it } from 'vitest';
import { frame, StdcopyDemuxer, StdStream } from './stdcopy';

describe('stdcopy', () => {
  it('frames with an 8-byte big-endian header', () => {
    const f = frame(StdStream.Stderr, 'hi\n');
    expect([...f.subarray(0, 8)]).toEqual([2, 0, 0, 0, 0, 0, 0, 3]);
    expect(f.subarray(8).toString()).toBe('hi\n');
  });

  it('writes nothing for an empty payload', () => {
    expect(frame(StdStream.Stdout, '').length).toBe(0);
  });

  it('encodes lengths above 255 in all four bytes', () => {
    const f = frame(StdStream.Stdout, Buffer.alloc(70_000, 1));
    expect(f.readUInt32BE(4)).toBe(70_000);
  });

  it('splits payloads above 1 MiB into several frames that demux back to the same bytes', () => {
    const big = Buffer.alloc(2.5 * 1024 * 1024, 7);
    const framed = frame(StdStream.Stdout, big);
    const frames = new StdcopyDemuxer().push(framed);
    expect(frames.length).toBe(3);
    expect(Buffer.concat(frames.map((x) => x.data)).equals(big)).toBe(true);
  });

  it('demuxes across arbitrary chunk boundaries and keeps streams apart', () => {
    const all = Buffer.concat([frame(StdStream.Stdout, 'out1\n'), frame(StdStream.Stderr, 'err1\n'), frame(StdStream.Stdout, 'out2\n')]);
    const d = new StdcopyDemuxer();
    const got: string[] = [];
    for (let i = 0; i < all.length; i += 3) for (const f of d.push(all.subarray(i, i + 3))) got.push(`${f.stream}:${f.data.toString()}`);
    expect(got).toEqual(['1:out1\n', '2:err1\n', '1:out2\n']);
    expect(d.buffered).toBe(0);
  });

  it('rejects an unknown stream id', () => {
    expect(() => new StdcopyDemuxer().push(Buffer.from([9, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/stream id 9/);
  });
});
