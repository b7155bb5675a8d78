import { describe, expect, it } from 'vitest';
import { compileDeviceFilter, runDeviceFilter } from './device-filter-bpf';
import { DEFAULT_DEVICE_RULES, formatDeviceRule, parseDeviceRule } from './device-rules';

const defaults = compileDeviceFilter(DEFAULT_DEVICE_RULES);
const allowed = (program: Buffer, type: 'b' | 'c', major: number, minor: number, access: string): boolean => runDeviceFilter(program, { type, major, minor, access });

describe('device rules', () => {
  it('parses and formats the devices.allow syntax', () => {
    expect(parseDeviceRule('c 1:3 rwm')).toEqual({ type: 'c', major: 1, minor: 3, access: 'rwm' });
    expect(parseDeviceRule('b *:* m')).toEqual({ type: 'b', major: '*', minor: '*', access: 'm' });
    expect(parseDeviceRule('a')).toEqual({ type: 'a', major: '*', minor: '*', access: 'rwm' });
    expect(formatDeviceRule(parseDeviceRule('c 136:* rw'))).toBe('c 136:* rw');
    expect(formatDeviceRule(parseDeviceRule('a'))).toBe('a *:* rwm');
    for (const bad of ['x 1:3 rwm', 'c 1 rwm', 'c 1:3 rwx', 'c 1:3 rrw', '', 'c -1:3 r']) expect(() => parseDeviceRule(bad), bad).toThrow(/invalid device cgroup rule/);
  });
});

describe('the compiled cgroup v2 device filter', () => {
  it('allows the default nodes and denies every other device, as runc', () => {
    for (const [major, minor] of [[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [136, 0], [136, 42], [10, 200]] as const) {
      expect(allowed(defaults, 'c', major, minor, 'rw'), `c ${major}:${minor}`).toBe(true);
    }
    expect(allowed(defaults, 'b', 8, 0, 'r')).toBe(false); // a host disk
    expect(allowed(defaults, 'b', 8, 0, 'w')).toBe(false);
    expect(allowed(defaults, 'c', 1, 1, 'r')).toBe(false); // /dev/mem
    expect(allowed(defaults, 'c', 1, 11, 'r')).toBe(false); // /dev/kmsg
    expect(allowed(defaults, 'c', 10, 229, 'rw')).toBe(false); // /dev/fuse
  });

  it('allows mknod of any node (use is what is checked), as dockerd', () => {
    expect(allowed(defaults, 'b', 8, 0, 'm')).toBe(true);
    expect(allowed(defaults, 'c', 1, 1, 'm')).toBe(true);
  });

  it('adds --device rules with their access, and an access subset denies the rest', () => {
    const withFuse = compileDeviceFilter([...DEFAULT_DEVICE_RULES, parseDeviceRule('c 10:229 rwm')]);
    expect(allowed(withFuse, 'c', 10, 229, 'rw')).toBe(true);
    const readOnly = compileDeviceFilter([parseDeviceRule('b 8:0 r')]);
    expect(allowed(readOnly, 'b', 8, 0, 'r')).toBe(true);
    expect(allowed(readOnly, 'b', 8, 0, 'rw')).toBe(false);
    expect(allowed(readOnly, 'b', 8, 1, 'r')).toBe(false);
    expect(allowed(readOnly, 'c', 8, 0, 'r')).toBe(false);
    const anyMinor = compileDeviceFilter([parseDeviceRule('c 136:* rw')]);
    expect(allowed(anyMinor, 'c', 136, 9999, 'rw')).toBe(true);
    expect(allowed(anyMinor, 'c', 137, 0, 'r')).toBe(false);
  });

  it('"a" allows every device and an empty list denies all', () => {
    const all = compileDeviceFilter([parseDeviceRule('a')]);
    expect(allowed(all, 'b', 259, 7, 'rwm')).toBe(true);
    const none = compileDeviceFilter([]);
    expect(allowed(none, 'c', 1, 3, 'r')).toBe(false);
    expect(none.length).toBe((6 + 2) * 8);
  });
});
