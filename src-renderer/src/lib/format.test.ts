import { describe, expect, it } from 'vitest';
import { formatAgo, formatArgv, formatBytes, formatMemory, formatPercent, shortId } from './format';

describe('format', () => {
  it('prints sizes in decimal units like the docker CLI', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(4_261_000)).toBe('4.26 MB');
    expect(formatBytes(123_400_000)).toBe('123 MB');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });

  it('prints memory in binary units', () => {
    expect(formatMemory(32 * 1024 * 1024)).toBe('32.0 MiB');
    expect(formatMemory(512)).toBe('512 B');
    expect(formatMemory(null)).toBe('—');
  });

  it('prints percentages', () => {
    expect(formatPercent(0.5)).toBe('0.5%');
    expect(formatPercent(55.2)).toBe('55%');
    expect(formatPercent(undefined)).toBe('—');
  });

  it('prints relative times', () => {
    const now = 1_700_000_000_000;
    expect(formatAgo(now - 500, now)).toBe('just now');
    expect(formatAgo(now - 30_000, now)).toBe('30 seconds ago');
    expect(formatAgo(now - 60_000, now)).toBe('a minute ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 hours ago');
    expect(formatAgo(now - 3_600_000, now)).toBe('an hour ago');
    expect(formatAgo(now - 2 * 86_400_000, now)).toBe('2 days ago');
    expect(formatAgo(0, now)).toBe('—');
  });

  it('shortens ids and quotes argv', () => {
    expect(shortId('sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(formatArgv(['sh', '-c', 'echo hi'])).toBe('sh -c "echo hi"');
  });
});
