import { describe, expect, it } from 'vitest';
import { absContainerPath, followsFinal, goFileMode } from './container-fs';

describe('container paths', () => {
  it('are absolute and keep a trailing slash or slash-dot (the final symlink is then followed)', () => {
    expect(absContainerPath('etc/passwd')).toBe('/etc/passwd');
    expect(absContainerPath('/etc/../etc//passwd')).toBe('/etc/passwd');
    expect(absContainerPath('/etc/')).toBe('/etc/');
    expect(absContainerPath('/etc/.')).toBe('/etc/.');
    expect(absContainerPath('/')).toBe('/');
    expect(absContainerPath('../../..')).toBe('/');
    expect(followsFinal('/etc/')).toBe(true);
    expect(followsFinal('/etc/.')).toBe(true);
    expect(followsFinal('/etc')).toBe(false);
    expect(() => absContainerPath('')).toThrow(/path is required/);
  });

  it('map modes to Go os.FileMode bits as dockerd reports them', () => {
    expect(goFileMode({ type: 'dir', mode: 0o755 })).toBe(0x800001ed);
    expect(goFileMode({ type: 'symlink', mode: 0o777 })).toBe(0x080001ff);
    expect(goFileMode({ type: 'file', mode: 0o4755 })).toBe(0x008001ed);
    expect(goFileMode({ type: 'char', mode: 0o666 })).toBe(0x042001b6);
  });
});
