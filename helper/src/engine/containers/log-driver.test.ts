import { describe, expect, it } from 'vitest';
import { logAttrs, logSettingsOf, parseLogSize, validateLogConfig } from './log-driver';

describe('log drivers', () => {
  it('parses sizes as go-units RAMInBytes', () => {
    expect(parseLogSize('10k')).toBe(10_240);
    expect(parseLogSize('1m')).toBe(1_048_576);
    expect(parseLogSize('1.5MB')).toBe(1_572_864);
    expect(parseLogSize('100')).toBe(100);
    expect(() => parseLogSize('lots')).toThrow("invalid size: 'lots'");
  });

  it('places and bounds each driver as dockerd', () => {
    expect(logSettingsOf('/c', 'abc', { type: 'json-file', config: {} })).toEqual({ driver: 'json-file', path: '/c/abc-json.log' });
    expect(logSettingsOf('/c', 'abc', { type: 'json-file', config: { 'max-size': '1k' } }).rotation).toEqual({ maxBytes: 1024, maxFiles: 1 });
    expect(logSettingsOf('/c', 'abc', { type: 'local', config: {} })).toEqual({ driver: 'local', path: '/c/local-logs/container.log', rotation: { maxBytes: 20 * 1024 * 1024, maxFiles: 5 } });
    expect(logSettingsOf('/c', 'abc', { type: 'none', config: {} })).toEqual({ driver: 'none', path: '' });
  });

  it('refuses what it does not apply', () => {
    expect(() => validateLogConfig({ type: 'json-file', config: { 'max-size': '0' } })).toThrow('max-size must be a positive number');
    expect(() => validateLogConfig({ type: 'json-file', config: { tag: 'x' } })).toThrow("log option 'tag' is not supported by berthd");
    expect(() => validateLogConfig({ type: 'local', config: { compress: 'true' } })).not.toThrow();
    expect(() => validateLogConfig({ type: 'json-file', config: { compress: 'false', 'max-size': '1m', 'max-file': '2' } })).not.toThrow();
  });
});

describe('log attrs', () => {
  it('takes the labels and env the options name or match (moby ExtraAttributes)', () => {
    const meta = { labels: { app: 'web', tier: 'front', other: 'x' }, env: ['MODE=prod', 'FOO_A=1', 'FOO_B=2', 'BROKEN'] };
    expect(logAttrs({ type: 'json-file', config: { labels: 'app,missing', env: 'MODE', 'env-regex': '^FOO_A' } }, meta)).toEqual({ app: 'web', MODE: 'prod', FOO_A: '1' });
    expect(logAttrs({ type: 'json-file', config: { 'labels-regex': '^t' } }, meta)).toEqual({ tier: 'front' });
    expect(logSettingsOf('/c', 'abc', { type: 'json-file', config: {} }, meta).attrs).toBeUndefined();
  });
});
