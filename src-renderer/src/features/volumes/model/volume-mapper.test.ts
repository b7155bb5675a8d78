import { describe, expect, it } from 'vitest';
import { breadcrumbs, joinPath, modeString, parentPath, toVolumeRowView } from './volume-mapper';

describe('volume mapper', () => {
  it('shows size, users and a short name for anonymous volumes', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const anon = 'a'.repeat(64);
    const row = toVolumeRowView(
      {
        name: anon,
        driver: 'local',
        mountpoint: `/var/lib/berth/volumes/${anon}/_data`,
        created: now - 3_600_000,
        labels: {},
        options: { type: 'tmpfs', o: 'size=1m' },
        anonymous: true,
        size: 100_000,
        containers: [
          { id: '1', name: 'web', running: true },
          { id: '2', name: 'job', running: false },
        ],
      },
      now,
    );
    expect(row).toMatchObject({ displayName: 'aaaaaaaaaaaa…', size: '100 kB', usedBy: 'web (running), job', inUse: true, options: 'type=tmpfs o=size=1m' });
  });

  it('formats modes and paths', () => {
    expect(modeString('dir', 0o750)).toBe('drwxr-x---');
    expect(modeString('file', 0o644)).toBe('-rw-r--r--');
    expect(parentPath('/a/b')).toBe('/a');
    expect(parentPath('/a')).toBe('/');
    expect(joinPath('/', 'x')).toBe('/x');
    expect(joinPath('/a', 'x')).toBe('/a/x');
    expect(breadcrumbs('/a/b').map((b) => b.path)).toEqual(['/', '/a', '/a/b']);
  });
});

describe('create volume form', () => {
  it('checks names as dockerd and parses labels', async () => {
    const { parseLabels, validateVolumeName } = await import('./create-volume-form');
    expect(validateVolumeName('')).toBeNull();
    expect(validateVolumeName('db-data')).toBeNull();
    expect(validateVolumeName('a')).toMatch(/at least 2/);
    expect(validateVolumeName('no/slash')).not.toBeNull();
    expect(parseLabels('team=db, backup\nx = y')).toEqual({ team: 'db', backup: '', x: 'y' });
    expect(parseLabels('=v')).toMatch(/no key/);
  });
});
