import { invalidArgument } from '../../lib/errors';

/**
 * One device-cgroup allow rule, as in `devices.allow` and `--device-cgroup-rule`:
 * `<type> <major>:<minor> <access>` where type is a (all), b (block) or c (char), numbers may be
 * `*`, and access is a subset of `rwm` (read, write, mknod).
 */
export interface DeviceRule {
  type: 'a' | 'b' | 'c';
  major: number | '*';
  minor: number | '*';
  access: string;
}

const RULE = /^([abc])(?:\s+(\*|\d+):(\*|\d+))?(?:\s+([rwm]{1,3}))?$/;

/**
 * runc's (and dockerd's) default allow-list: mknod of any node, then use of null, zero, full,
 * random, urandom, tty, console, ptmx, the pty slaves and tun. Everything else is denied.
 */
export const DEFAULT_DEVICE_RULES: readonly DeviceRule[] = [
  'c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm',
  'c 5:0 rwm', 'c 5:1 rwm', 'c 5:2 rwm', 'c 136:* rwm', 'c 10:200 rwm',
].map(parseDeviceRule);

/** Parses a rule as dockerd's `--device-cgroup-rule` does ("a" alone means every device, rwm). */
export function parseDeviceRule(text: string): DeviceRule {
  const m = RULE.exec(text.trim());
  const access = m?.[4] ?? 'rwm';
  if (!m || new Set(access).size !== access.length) throw invalidArgument('INVALID_DEVICE_RULE', `invalid device cgroup rule "${text}": expected "<a|b|c> <major|*>:<minor|*> <rwm>"`);
  const num = (s: string | undefined): number | '*' => (s === undefined || s === '*' ? '*' : Number(s));
  return { type: m[1] as DeviceRule['type'], major: num(m[2]), minor: num(m[3]), access };
}

/** The `devices.allow` line of a rule (cgroup v1). */
export function formatDeviceRule(r: DeviceRule): string {
  return r.type === 'a' ? `a *:* ${r.access}` : `${r.type} ${r.major}:${r.minor} ${r.access}`;
}
