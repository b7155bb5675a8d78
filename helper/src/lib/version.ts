/** The one Engine API version berthd implements, and the oldest it accepts (moby's minimum). */
export const API_VERSION = '1.48';
export const MIN_API_VERSION = '1.24';
declare const __BERTH_VERSION__: string | undefined;
/** package.json's version, set by scripts/build-helper.mjs; unbundled (tests) it reads as 0.1.0-dev. */
export const BERTH_VERSION: string = typeof __BERTH_VERSION__ === 'string' ? __BERTH_VERSION__ : '0.1.0-dev';

/** Compares dotted API versions numerically ("1.9" < "1.10"). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
