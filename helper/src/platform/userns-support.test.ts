import { describe, expect, it } from 'vitest';
import { checkIdmapSupport, kernelVersion } from './userns-support';

describe('userns-remap host support', () => {
  it('reads the kernel version', () => {
    expect(kernelVersion('6.1.0-13-cloud-amd64')).toEqual([6, 1]);
    expect(kernelVersion('6.18.44-fc-v1252')).toEqual([6, 18]);
  });

  it('needs 5.19 for idmapped overlay layers and a data root filesystem that takes idmapped mounts', () => {
    expect(() => checkIdmapSupport(0xef53, '6.1.0')).not.toThrow();
    expect(() => checkIdmapSupport(0xef53, '5.15.0')).toThrow(/5\.19 or later/);
    expect(() => checkIdmapSupport(0x01021994, '6.1.0')).toThrow(/tmpfs does not support them on Linux 6\.1/);
    expect(() => checkIdmapSupport(0x01021994, '6.18.1')).not.toThrow();
    expect(() => checkIdmapSupport(0x6969, '6.18.1')).toThrow(/filesystem type 0x6969/);
  });
});
