import { describe, expect, it } from 'vitest';
import { mergeMounts, parseBind } from './mount-specs';

describe('parseBind', () => {
  it('tells host binds, named volumes and anonymous volumes apart', () => {
    expect(parseBind('/srv:/data:ro')).toEqual({ type: 'bind', source: '/srv', destination: '/data', readOnly: true, mode: 'ro' });
    expect(parseBind('db:/var/lib/db/')).toEqual({ type: 'volume', source: '', name: 'db', destination: '/var/lib/db', readOnly: false, mode: 'z', noCopy: false });
    expect(parseBind('db:/d:ro,nocopy')).toMatchObject({ name: 'db', readOnly: true, noCopy: true, mode: 'ro,nocopy' });
    expect(parseBind('/cache')).toEqual({ type: 'volume', source: '', destination: '/cache', readOnly: false, mode: '', anonymous: true });
  });

  it('refuses what dockerd refuses', () => {
    expect(() => parseBind('db:rel')).toThrow(/mount path must be absolute/);
    expect(() => parseBind('db:/')).toThrow(/destination can't be '\/'/);
    expect(() => parseBind('db:/d:ro,rw')).toThrow(/invalid mode: ro,rw/);
    expect(() => parseBind('db:/d:bogus')).toThrow(/invalid mode: bogus/);
    expect(() => parseBind('a:b:c:d')).toThrow(/invalid volume specification/);
  });
});

describe('mergeMounts', () => {
  it('explicit mounts win over volumes-from, anonymous paths fill only free destinations', () => {
    const inherited = { type: 'volume' as const, source: '/v/old/_data', name: 'old', destination: '/a', readOnly: false, mode: 'z' };
    const out = mergeMounts({
      volumesFrom: [{ mounts: [inherited, { ...inherited, name: 'keep', destination: '/k' }], mode: 'ro' }],
      binds: ['new:/a'],
      mounts: [],
      volumePaths: ['/k', '/fresh/', '/a'],
    });
    expect(out.map((m) => [m.destination, m.name ?? '(anon)', m.readOnly])).toEqual([
      ['/a', 'new', false],
      ['/k', 'keep', true],
      ['/fresh', '(anon)', false],
    ]);
  });

  it('a destination twice among Binds and Mounts is an error', () => {
    expect(() => mergeMounts({ volumesFrom: [], binds: ['x:/d'], mounts: [{ type: 'volume', source: '', name: 'y', destination: '/d/', readOnly: false, mode: 'z' }], volumePaths: [] })).toThrow(
      'Duplicate mount point: /d',
    );
  });
});
