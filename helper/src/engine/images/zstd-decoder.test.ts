import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { zstdDecoder } from './zstd-decoder';

// Random (incompressible) and repetitive (long matches) data, several zstd blocks and two frames.
const plain = Buffer.concat([randomBytes(300_000), Buffer.alloc(2_000_000, 'berth layer text '), randomBytes(70_000)]);
const frame1 = execFileSync('zstd', ['-q', '-c', '-3'], { input: plain.subarray(0, 1_000_000), maxBuffer: 64 << 20 });
const frame2 = execFileSync('zstd', ['-q', '-c', '-19'], { input: plain.subarray(1_000_000), maxBuffer: 64 << 20 });
const compressed = Buffer.concat([frame1, frame2]);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function decode(input: Buffer, dec: Transform, piece = 4096): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += piece) pieces.push(input.subarray(i, i + piece));
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), dec, async (src: AsyncIterable<Buffer>) => {
    // Hashed as it arrives, so a decoder reusing its output buffers would show here.
    for await (const c of src) out.push(Buffer.from(c));
  });
  return Buffer.concat(out);
}

describe.each([
  ['in-process (fzstd)', false],
  ['zstd tool', true],
])('zstd layer decoder: %s', (_name, tool) => {
  it('decodes multi-frame streams fed in small pieces', async () => {
    const out = await decode(compressed, zstdDecoder(tool));
    expect(out.length).toBe(plain.length);
    expect(sha(out)).toBe(sha(plain));
  });

  it.each([
    ['truncated', compressed.subarray(0, compressed.length - 1000)],
    ['not zstd', Buffer.from('this is not a zstd frame at all, just text')],
  ])('fails on %s input with an "invalid zstd data" error', async (_what, bad) => {
    await expect(decode(bad, zstdDecoder(tool))).rejects.toThrow(/invalid zstd data/);
  });
});
