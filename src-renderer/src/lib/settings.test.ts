import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings } from './settings';

describe('parseSettings', () => {
  it('gives the defaults for nothing stored or broken JSON', () => {
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings('{nope')).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.theme).toBe('system');
  });

  it('keeps valid fields and replaces only the invalid ones', () => {
    const s = parseSettings(JSON.stringify({ theme: 'light', terminalFontSize: 400, logLineLimit: 2000, confirm: { remove: false } }));
    expect(s.theme).toBe('light');
    expect(s.terminalFontSize).toBe(DEFAULT_SETTINGS.terminalFontSize);
    expect(s.logLineLimit).toBe(2000);
    expect(s.confirm).toEqual({ remove: false, prune: true, stop: false, bulk: true });
  });
});
