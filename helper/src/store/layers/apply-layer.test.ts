import { describe, expect, it } from 'vitest';
import { normalizeLayerPath, planEntry } from './apply-layer';

describe('normalizeLayerPath (escape checks)', () => {
  it('makes tar names relative to the layer root', () => {
    expect(normalizeLayerPath('./etc/passwd')).toBe('etc/passwd');
    expect(normalizeLayerPath('etc//x/./y/')).toBe('etc/x/y');
    expect(normalizeLayerPath('./')).toBe('');
  });
  it.each(['../x', 'a/../../x', 'a/b/..', '/etc/shadow', '/'])('refuses %s', (name) => {
    expect(() => normalizeLayerPath(name)).toThrow(/refusing layer entry/);
  });
});

describe('planEntry (whiteouts to overlay form)', () => {
  it('turns .wh.<name> into a whiteout of the sibling', () => {
    expect(planEntry('data/.wh.gone')).toEqual({ action: 'whiteout', path: 'data/gone' });
    expect(planEntry('.wh.top')).toEqual({ action: 'whiteout', path: 'top' });
  });
  it('turns .wh..wh..opq into an opaque mark on its directory', () => {
    expect(planEntry('data/opq/.wh..wh..opq')).toEqual({ action: 'opaque', dir: 'data/opq' });
    expect(planEntry('.wh..wh..opq')).toEqual({ action: 'opaque', dir: '' });
  });
  it('skips AUFS bookkeeping and writes everything else', () => {
    expect(planEntry('.wh..wh.plnk/123.456')).toEqual({ action: 'skip' });
    expect(planEntry('usr/bin/env')).toEqual({ action: 'write', path: 'usr/bin/env' });
    expect(planEntry('a/.whx')).toEqual({ action: 'write', path: 'a/.whx' });
  });
  it('refuses whiteouts that would name the parent', () => {
    expect(() => planEntry('a/.wh...')).toThrow(/invalid whiteout/);
    expect(() => planEntry('../.wh.x')).toThrow(/refusing/);
  });
});
