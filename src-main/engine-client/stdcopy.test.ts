import { describe, expect, it } from 'vitest';
import { JsonLinesParser } from './json-lines';
import { StdcopyDemuxer, type StdStream } from './stdcopy';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

describe('stdcopy demux', () => {
  it('splits frames that arrive together, and frames split across chunks (even inside the header)', () => {
    const got: [StdStream, string][] = [];
    const d = new StdcopyDemuxer((s, p) => got.push([s, p.toString()]));
    const all = Buffer.concat([frame(1, 'out1\n'), frame(2, 'err1\n'), frame(1, 'out2\n'), frame(3, 'sys')]);
    // Feed byte-irregular slices: 3, 7, 11, ...
    let i = 0;
    let n = 3;
    while (i < all.length) {
      d.push(all.subarray(i, i + n));
      i += n;
      n += 4;
    }
    expect(got).toEqual([
      ['stdout', 'out1\n'],
      ['stderr', 'err1\n'],
      ['stdout', 'out2\n'],
      ['system', 'sys'],
    ]);
    expect(d.buffered).toBe(0);
  });

  it('holds an incomplete frame; empty frames are skipped; stdin (0) counts as stdout', () => {
    const got: string[] = [];
    const d = new StdcopyDemuxer((s, p) => got.push(`${s}:${p.toString()}`));
    const f = frame(2, 'partial');
    d.push(Buffer.concat([frame(1, ''), frame(0, 'in'), f.subarray(0, 10)]));
    expect(got).toEqual(['stdout:in']);
    expect(d.buffered).toBe(10);
    d.push(f.subarray(10));
    expect(got).toEqual(['stdout:in', 'stderr:partial']);
  });
});

describe('JSON lines', () => {
  it('parses values split across chunks, with \\r\\n endings and a multibyte char split in two', () => {
    const values: unknown[] = [];
    const bad: string[] = [];
    const p = new JsonLinesParser((v) => values.push(v), (l) => bad.push(l));
    const text = Buffer.from('{"a":1}\r\n{"b":"é"}\n\nnot json\n{"c":3}');
    const cut = text.indexOf(Buffer.from('é')) + 1;
    p.push(text.subarray(0, 4));
    p.push(text.subarray(4, cut));
    p.push(text.subarray(cut));
    p.end();
    expect(values).toEqual([{ a: 1 }, { b: 'é' }, { c: 3 }]);
    expect(bad).toEqual(['not json']);
  });
});
