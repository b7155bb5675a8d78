import { describe, expect, it, vi } from 'vitest';
import type { LogLineView } from '../../src-shared/ipc/models/containers';
import { LineBatcher, LineSplitter } from './log-lines';

describe('log lines', () => {
  it('splits lines across chunks, strips \\r, splits timestamps, flushes the tail', () => {
    const lines: LogLineView[] = [];
    const s = new LineSplitter('stderr', true, (l) => lines.push(l));
    s.push(Buffer.from('2024-01-01T00:00:00.000000001Z hel'));
    s.push(Buffer.from('lo\r\n2024-01-01T00:00:01Z world\nno-ts-tail'));
    s.flush();
    expect(lines).toEqual([
      { stream: 'stderr', text: 'hello', timestamp: '2024-01-01T00:00:00.000000001Z' },
      { stream: 'stderr', text: 'world', timestamp: '2024-01-01T00:00:01Z' },
      { stream: 'stderr', text: 'no-ts-tail' },
    ]);
  });

  it('batches by time and by size', () => {
    vi.useFakeTimers();
    try {
      const batches: number[] = [];
      const b = new LineBatcher((l) => batches.push(l.length), 50, 3);
      for (let i = 0; i < 4; i++) b.add({ stream: 'stdout', text: String(i) });
      expect(batches).toEqual([3]);
      vi.advanceTimersByTime(60);
      expect(batches).toEqual([3, 1]);
    } finally {
      vi.useRealTimers();
    }
  });
});
