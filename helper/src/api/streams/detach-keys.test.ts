import { describe, expect, it } from 'vitest';
import { DetachScanner, parseDetachKeys } from './detach-keys';

const msg = (k: string): string => `Invalid detach keys (${k}) provided`;

describe('detach keys', () => {
  it('parses as moby term.ToBytes', () => {
    expect(parseDetachKeys('', msg)).toEqual([0x10, 0x11]);
    expect(parseDetachKeys('ctrl-x,y', msg)).toEqual([0x18, 0x79]);
    expect(parseDetachKeys('ctrl-@,ctrl-[,ctrl-_,CTRL-A', msg)).toEqual([0, 27, 31, 1]);
    expect(() => parseDetachKeys('ctrl-', msg)).toThrow('Invalid detach keys (ctrl-) provided');
    expect(() => parseDetachKeys('ctrl-1', msg)).toThrow();
  });

  it('holds a started sequence back, forwards it when it breaks, detaches when it completes', () => {
    const s = new DetachScanner([0x10, 0x11]);
    expect(s.scan(Buffer.from('ab\x10'))).toEqual({ forward: Buffer.from('ab'), detach: false });
    expect(s.scan(Buffer.from('c'))).toEqual({ forward: Buffer.from('\x10c'), detach: false });
    expect(s.scan(Buffer.from('\x10\x10'))).toEqual({ forward: Buffer.from('\x10'), detach: false });
    expect(s.scan(Buffer.from('\x11rest'))).toEqual({ forward: Buffer.alloc(0), detach: true });
  });
});
