import { describe, expect, it } from 'vitest';
import { mergeVolumes, parseBinds, parsePsOutput } from './container-helpers';
import { parseSignal } from './signals';

describe('parsePsOutput (moby top_unix.go)', () => {
  const out = ['UID          PID    PPID  C STIME TTY          TIME CMD', 'root         1       0  0 10:00 ?        00:00:01 /sbin/init', 'root      4242    4241  0 10:01 ?        00:00:00 sleep 100 now', ''].join('\n');
  it('keeps the rows of the given PIDs and the command with its spaces', () => {
    expect(parsePsOutput(out, new Set([4242]))).toEqual({
      Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      Processes: [['root', '4242', '4241', '0', '10:01', '?', '00:00:00', 'sleep 100 now']],
    });
  });
  it('needs a PID column', () => {
    expect(() => parsePsOutput('USER COMMAND\nroot x\n', new Set([1]))).toThrow(/PID field/);
  });
});

describe('parseBinds', () => {
  it('parses host:container[:mode]', () => {
    expect(parseBinds(['/h:/c', '/h2:/c2:ro'])).toEqual([
      { type: 'bind', source: '/h', destination: '/c', readOnly: false, mode: '' },
      { type: 'bind', source: '/h2', destination: '/c2', readOnly: true, mode: 'ro' },
    ]);
  });
  it('refuses named volumes, relative targets and unknown modes', () => {
    expect(() => parseBinds(['vol:/c'])).toThrow(/named volumes/);
    expect(() => parseBinds(['/h:c'])).toThrow(/must be absolute/);
    expect(() => parseBinds(['/h:/c:bogus'])).toThrow(/invalid mode/);
  });
});

describe('parseSignal', () => {
  it('accepts numbers, names with or without SIG, any case, and RT signals', () => {
    expect(parseSignal('9')).toBe(9);
    expect(parseSignal('KILL')).toBe(9);
    expect(parseSignal('sigterm')).toBe(15);
    expect(parseSignal('SIGRTMIN+3')).toBe(37);
    expect(() => parseSignal('NOPE')).toThrow(/Invalid signal/);
    expect(() => parseSignal('99')).toThrow(/Invalid signal/);
  });
});

describe('mergeVolumes (moby daemon/commit.go merge)', () => {
  it('takes the image volumes for an empty or absent posted set, else adds them', () => {
    expect(mergeVolumes({}, null)).toBeNull();
    expect(mergeVolumes(undefined, { '/img': {} })).toEqual({ '/img': {} });
    expect(mergeVolumes({ '/mine': {} }, { '/img': {} })).toEqual({ '/mine': {}, '/img': {} });
    expect(mergeVolumes({ '/mine': {} }, null)).toEqual({ '/mine': {} });
  });
});
