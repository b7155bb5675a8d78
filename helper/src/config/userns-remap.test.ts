import { describe, expect, it } from 'vitest';
import { firstFreeRange, idMapsOf, parseSubIds, resolveUsernsRemap, toHostId, type RemapHost } from './userns-remap';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n';
const GROUP = 'root:x:0:\nalice:x:1000:\nbob:x:1001:\nstaff:x:50:\n';

function fakeHost(files: Record<string, string>): RemapHost & { files: Record<string, string>; added: string[] } {
  const added: string[] = [];
  return {
    files,
    added,
    read: async (p) => files[p] ?? '',
    append: async (p, t) => {
      files[p] = (files[p] ?? '') + t;
    },
    addSystemUser: async (name) => {
      added.push(name);
      files['/etc/passwd'] = (files['/etc/passwd'] ?? '') + `${name}:x:999:995::/nonexistent:/bin/false\n`;
      files['/etc/group'] = (files['/etc/group'] ?? '') + `${name}:x:995:\n`;
    },
  };
}

describe('subordinate id ranges', () => {
  it('parses name:start:count lines, skipping comments and malformed ones', () => {
    expect(parseSubIds('# c\nalice:100000:65536\n\nbad line\nbob:x:1\n1001:200000:10\n')).toEqual([
      { name: 'alice', start: 100000, length: 65536 },
      { name: '1001', start: 200000, length: 10 },
    ]);
  });

  it('numbers container ids from 0 across a user\'s ranges in start order (by name or uid)', () => {
    const r = parseSubIds('alice:300000:10\nbob:100000:65536\n1000:100:5\n');
    expect(idMapsOf(r, ['alice', '1000'])).toEqual([
      { containerId: 0, hostId: 100, size: 5 },
      { containerId: 5, hostId: 300000, size: 10 },
    ]);
    expect(toHostId(idMapsOf(r, ['alice', '1000']), 7)).toBe(300002);
    expect(toHostId(idMapsOf(r, ['alice', '1000']), 15)).toBeUndefined();
  });

  it('picks the first free 65536 ids at or after 100000, as pkg/idtools', () => {
    expect(firstFreeRange([])).toBe(100000);
    expect(firstFreeRange(parseSubIds('alice:100000:65536\n'))).toBe(165536);
    expect(firstFreeRange(parseSubIds('bob:165536:65536\nalice:100000:65536\n'))).toBe(231072);
    expect(firstFreeRange(parseSubIds('low:1000:500\n'))).toBe(100000);
    expect(firstFreeRange(parseSubIds('mid:150000:10\n'))).toBe(150010);
  });
});

describe('resolveUsernsRemap', () => {
  it('"default" creates dockremap and its first free ranges when missing', async () => {
    const host = fakeHost({ '/etc/passwd': PASSWD, '/etc/group': GROUP, '/etc/subuid': 'alice:100000:65536', '/etc/subgid': '' });
    const r = await resolveUsernsRemap('default', host);
    expect(host.added).toEqual(['dockremap']);
    expect(host.files['/etc/subuid']).toBe('alice:100000:65536\ndockremap:165536:65536\n');
    expect(host.files['/etc/subgid']).toBe('dockremap:100000:65536\n');
    expect(r).toEqual({ user: 'dockremap', group: 'dockremap', uidMap: [{ containerId: 0, hostId: 165536, size: 65536 }], gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }] });
    // A second start finds everything in place and changes nothing.
    const again = await resolveUsernsRemap('default', host);
    expect(again).toEqual(r);
    expect(host.added).toEqual(['dockremap']);
  });

  it('a named user (or uid:gid) uses its existing ranges', async () => {
    const host = fakeHost({ '/etc/passwd': PASSWD, '/etc/group': GROUP, '/etc/subuid': 'alice:200000:65536\n', '/etc/subgid': 'staff:300000:65536\n' });
    expect(await resolveUsernsRemap('1000:50', host)).toEqual({ user: 'alice', group: 'staff', uidMap: [{ containerId: 0, hostId: 200000, size: 65536 }], gidMap: [{ containerId: 0, hostId: 300000, size: 65536 }] });
    expect(host.added).toEqual([]);
  });

  it('refuses a user without ranges, an unknown user or group, and a malformed value', async () => {
    const host = fakeHost({ '/etc/passwd': PASSWD, '/etc/group': GROUP, '/etc/subuid': 'alice:200000:65536\n', '/etc/subgid': '' });
    await expect(resolveUsernsRemap('bob', host)).rejects.toThrow(/no subuid ranges found for user "bob"/);
    await expect(resolveUsernsRemap('alice', host)).rejects.toThrow(/no subgid ranges found for group "alice"/);
    await expect(resolveUsernsRemap('carol', host)).rejects.toThrow(/uid lookup for "carol"/);
    await expect(resolveUsernsRemap('alice:nogroup', host)).rejects.toThrow(/gid lookup for "nogroup"/);
    await expect(resolveUsernsRemap(':x', host)).rejects.toThrow(/invalid value/);
    expect(host.files['/etc/subuid']).toBe('alice:200000:65536\n');
  });
});
