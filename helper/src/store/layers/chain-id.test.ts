import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainId, chainIds } from './chain-id';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const sha = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;

describe('chain IDs (image-spec identity.ChainID)', () => {
  it('is the diffID for a base layer and sha256("<parent> <diff>") above', () => {
    expect(chainId(undefined, d('a'))).toBe(d('a'));
    expect(chainId(d('a'), d('b'))).toBe(sha(`${d('a')} ${d('b')}`));
  });
  it('chains every prefix, so equal prefixes share IDs and different bases never do', () => {
    const one = chainIds([d('a'), d('b'), d('c')]);
    const two = chainIds([d('a'), d('b'), d('e')]);
    const other = chainIds([d('f'), d('b')]);
    expect(one[0]).toBe(two[0]);
    expect(one[1]).toBe(two[1]);
    expect(one[2]).not.toBe(two[2]);
    expect(other[1]).not.toBe(one[1]);
    expect(one[2]).toBe(sha(`${sha(`${d('a')} ${d('b')}`)} ${d('c')}`));
  });
  it('matches a value computed with sha256sum', () => {
    // sha256("sha256:aaa… sha256:bbb…"), computed independently with sha256sum.
    expect(chainId(d('a'), d('b'))).toBe('sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c');
  });
});
