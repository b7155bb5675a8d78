import { describe, expect, it } from 'vitest';
import { rlimitRecords, validateRlimits } from './rlimits';

describe('rlimits', () => {
  it('maps docker names to resource numbers and -1 to RLIM_INFINITY, as Go converts int64 to uint64', () => {
    expect(rlimitRecords([{ name: 'nofile', soft: 1024, hard: -1 }, { name: 'CORE', soft: 0, hard: 0 }])).toEqual([
      ['rlimit', 7, '1024', '18446744073709551615'],
      ['rlimit', 4, '0', '0'],
    ]);
  });

  it('refuses unknown names and a soft limit above the hard one (unlimited counts as the largest)', () => {
    expect(() => validateRlimits([{ name: 'foo', soft: 1, hard: 1 }])).toThrow('wrong rlimit value: RLIMIT_FOO');
    expect(() => validateRlimits([{ name: 'nofile', soft: -1, hard: 10 }])).toThrow('soft limit must be less than or equal to hard limit');
    expect(() => validateRlimits([{ name: 'nofile', soft: 10, hard: -1 }])).not.toThrow();
  });
});
