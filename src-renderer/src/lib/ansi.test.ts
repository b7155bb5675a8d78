import { describe, expect, it } from 'vitest';
import { parseAnsi } from './ansi';

describe('parseAnsi', () => {
  it('keeps colours and bold as spans', () => {
    const r = parseAnsi('\u001b[31merror\u001b[0m and \u001b[1;32mok\u001b[m');
    expect(r.plain).toBe('error and ok');
    expect(r.spans).toEqual([{ text: 'error', fg: 'ansi-red' }, { text: ' and ' }, { text: 'ok', fg: 'ansi-green', bold: true }]);
  });

  it('strips cursor queries, erases, cursor moves, titles and carriage-return redraws', () => {
    expect(parseAnsi('/ # \u001b[6n\u001b[J').plain).toBe('/ # ');
    expect(parseAnsi('\u001b]0;root@box: ~\u0007prompt\u001b[?25l\u001b[2K\u001b[1A$').plain).toBe('prompt$');
    expect(parseAnsi('10%\r50%\r100%').plain).toBe('100%');
    expect(parseAnsi('\u001b7saved\u001b8').plain).toBe('saved');
  });

  it('leaves plain text alone', () => {
    expect(parseAnsi('hello [world]')).toEqual({ plain: 'hello [world]', spans: [{ text: 'hello [world]' }] });
  });
});
