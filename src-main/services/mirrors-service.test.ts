import { describe, expect, it } from 'vitest';
import { entryErrors } from './mirrors-service';

describe('mirror entry validation', () => {
  it('puts each error next to its entry (structured form)', () => {
    const errs = entryErrors({
      registryMirrors: ['http://ok:5000', 'ftp://bad', 'http://x/path'],
      insecureRegistries: ['10.0.0.0/8', 'http://nope'],
      mirrors: { 'ghcr.io': ['http://m:1'], 'bad host': [] },
    });
    expect(errs.map((e) => [e.list, e.index])).toEqual([
      ['registryMirrors', 1],
      ['registryMirrors', 2],
      ['insecureRegistries', 1],
      ['mirrors.bad host', -1],
    ]);
    expect(errs[1]?.message).toContain('/path');
  });

  it('reads the standard keys of a raw daemon.json; syntax errors are left to berthd', () => {
    expect(entryErrors({ raw: '{"registry-mirrors": ["http://a", "nope"]}' }).map((e) => e.index)).toEqual([1]);
    expect(entryErrors({ raw: '{"registry-mirrors": [' })).toEqual([]);
  });
});
