import { describe, expect, it } from 'vitest';
import { mountsEcho } from './mount-echo';

describe('mountsEcho', () => {
  it('drops what Go omitempty drops, keeps posted option structs and non-empty maps', () => {
    expect(
      mountsEcho([
        { Type: 'volume', Source: 'data', Target: '/d', ReadOnly: null, Consistency: '', VolumeOptions: { NoCopy: true, Labels: {}, DriverConfig: { Name: '', Options: { a: 'b' } } } },
        { Type: 'bind', Source: '/h', Target: '/c', ReadOnly: true, BindOptions: {} },
        { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 0, Mode: 448, Options: [] } },
      ]),
    ).toEqual([
      { Type: 'volume', Source: 'data', Target: '/d', VolumeOptions: { NoCopy: true, DriverConfig: { Options: { a: 'b' } } } },
      { Type: 'bind', Source: '/h', Target: '/c', ReadOnly: true, BindOptions: {} },
      { Type: 'tmpfs', Target: '/t', TmpfsOptions: { Mode: 448 } },
    ]);
  });
});
