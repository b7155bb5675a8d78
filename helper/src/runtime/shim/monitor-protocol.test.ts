import { describe, expect, it } from 'vitest';
import { FRAME, FrameDecoder, coalesceOutput, encodeFrame } from './monitor-protocol';

describe('coalesceOutput', () => {
  it('merges adjacent frames of the same output stream, keeping order and stream boundaries', () => {
    const wire = Buffer.concat([
      encodeFrame(FRAME.stdout, 'ab'),
      encodeFrame(FRAME.stdout, 'cd'),
      encodeFrame(FRAME.stderr, 'E1'),
      encodeFrame(FRAME.stderr, 'E2'),
      encodeFrame(FRAME.stdout, 'ef'),
      encodeFrame(FRAME.exit, '{"code":0}'),
      encodeFrame(FRAME.stdout, 'gh'),
    ]);
    const frames = coalesceOutput(new FrameDecoder().push(wire));
    expect(frames.map((f) => [f.type, f.payload.toString()])).toEqual([
      [FRAME.stdout, 'abcd'],
      [FRAME.stderr, 'E1E2'],
      [FRAME.stdout, 'ef'],
      [FRAME.exit, '{"code":0}'],
      [FRAME.stdout, 'gh'],
    ]);
  });

  it('leaves control frames alone and single frames untouched', () => {
    const one = new FrameDecoder().push(encodeFrame(FRAME.stdout, 'x'));
    expect(coalesceOutput(one)).toBe(one);
    const ctl = new FrameDecoder().push(Buffer.concat([encodeFrame(FRAME.kill, '0'), encodeFrame(FRAME.kill, '0')]));
    expect(coalesceOutput(ctl)).toHaveLength(2);
  });
});
