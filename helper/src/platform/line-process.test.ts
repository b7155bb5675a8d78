import { describe, expect, it } from 'vitest';
import { LineProcess } from './line-process';

describe('LineProcess', () => {
  it('answers requests in order, one line each', async () => {
    // A tool that answers each NUL-terminated field with that field as a line (unbuffered, unlike tr).
    const echo = "process.stdin.on('data', (d) => process.stdout.write(d.toString('latin1').replaceAll('\\0', '\\n'), 'latin1'))";
    const proc = new LineProcess(process.execPath, ['-e', echo], 'TEST');
    try {
      const answers = await Promise.all(['a', 'b c', 'é'].map((f) => proc.request([f])));
      expect(answers).toEqual(['a', 'b c', Buffer.from('é').toString('latin1')]);
    } finally {
      await proc.close();
    }
  });

  it('rejects pending and later requests when the tool exits without answering', async () => {
    const proc = new LineProcess('/bin/sh', ['-c', 'echo boom >&2; exit 3'], 'TEST');
    await expect(proc.request(['x'])).rejects.toMatchObject({ code: 'TEST_EXIT', message: 'sh exited with 3: boom' });
    await expect(proc.request(['y'])).rejects.toMatchObject({ code: 'TEST_EXIT' });
    await proc.close();
  });

  it('rejects with <prefix>_SPAWN when the binary cannot run', async () => {
    const proc = new LineProcess('/nonexistent/berth-tool', [], 'TEST');
    await expect(proc.request(['x'])).rejects.toMatchObject({ code: 'TEST_SPAWN' });
    await proc.close();
  });
});
