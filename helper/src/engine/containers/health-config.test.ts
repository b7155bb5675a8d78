import { describe, expect, it } from 'vitest';
import { goDurationMs, mergeHealthcheck, probeCommand, probeTimings, validateHealthcheck } from './health-config';

const hc = (over: Partial<Parameters<typeof probeTimings>[0]> = {}): Parameters<typeof probeTimings>[0] => ({ test: [], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0, ...over });

describe('healthcheck config', () => {
  it("merges the request's fields over the image's as moby merge()", () => {
    const image = hc({ test: ['CMD-SHELL', 'exit 1'], interval: 2e8, retries: 1 });
    expect(mergeHealthcheck(undefined, image)).toEqual(image);
    expect(mergeHealthcheck(hc({ test: ['CMD', 'true'] }), image)).toEqual({ ...image, test: ['CMD', 'true'] });
    expect(mergeHealthcheck(hc({ test: ['NONE'] }), image)?.test).toEqual(['NONE']);
    expect(mergeHealthcheck(hc({ interval: 5e9 }), image)).toEqual({ ...image, interval: 5e9 });
    expect(mergeHealthcheck(undefined, undefined)).toBeUndefined();
  });

  it('builds the probe argv; NONE and unknown types run nothing', () => {
    expect(probeCommand(hc({ test: ['CMD-SHELL', 'curl -f x'] }))).toEqual(['/bin/sh', '-c', 'curl -f x']);
    expect(probeCommand(hc({ test: ['CMD', 'a', 'b'] }))).toEqual(['a', 'b']);
    expect(probeCommand(hc({ test: ['NONE'] }))).toBeUndefined();
    expect(probeCommand(hc({ test: ['HTTP', 'x'] }))).toBeUndefined();
  });

  it("fills dockerd's defaults and validates at create", () => {
    expect(probeTimings(hc())).toEqual({ intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5000, retries: 3 });
    expect(() => validateHealthcheck(hc({ timeout: 999_999 }))).toThrow('Timeout in Healthcheck cannot be less than 1ms');
    expect(() => validateHealthcheck(hc({ retries: -1 }))).toThrow('Retries in Healthcheck cannot be negative');
    expect(() => validateHealthcheck(hc({ interval: 1e6 }))).not.toThrow();
  });

  it("formats timeouts as Go's Duration", () => {
    expect(goDurationMs(300)).toBe('300ms');
    expect(goDurationMs(30_000)).toBe('30s');
    expect(goDurationMs(90_000)).toBe('1m30s');
    expect(goDurationMs(1500)).toBe('1.5s');
  });
});
