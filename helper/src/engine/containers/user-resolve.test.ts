import { describe, expect, it } from 'vitest';
import { parseGroup, parsePasswd, resolveGroupAdd, resolveUser } from './user-resolve';

const passwd = parsePasswd('root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nwww:x:33:33::/var/www:/bin/sh\n# comment\nbroken\n');
const groups = parseGroup('root:x:0:\nwheel:x:10:root,www\nstaff:x:50:www\nwww:x:33:\n');

describe('resolveUser', () => {
  it('defaults to root with its home', () => {
    expect(resolveUser('', passwd, groups)).toEqual({ uid: 0, gid: 0, additionalGids: [10], home: '/root' });
  });
  it('resolves names with their primary and supplementary groups', () => {
    expect(resolveUser('www', passwd, groups)).toEqual({ uid: 33, gid: 33, additionalGids: [10, 50], home: '/var/www' });
  });
  it('accepts numeric uids absent from passwd', () => {
    expect(resolveUser('1234', passwd, groups)).toEqual({ uid: 1234, gid: 0, additionalGids: [], home: '/' });
  });
  it('takes an explicit group by name or number, without supplementary groups', () => {
    expect(resolveUser('www:staff', passwd, groups)).toMatchObject({ uid: 33, gid: 50, additionalGids: [] });
    expect(resolveUser('1:99', passwd, groups)).toMatchObject({ uid: 1, gid: 99, home: '/usr/sbin' });
  });
  it('rejects unknown names with runc-like text', () => {
    expect(() => resolveUser('nobody', passwd, groups)).toThrow(/unable to find user nobody/);
    expect(() => resolveUser('www:nogroup', passwd, groups)).toThrow(/unable to find group nogroup/);
  });

  it('resolves GroupAdd names and gids from /etc/group, takes other numbers as is, refuses unknown names (runc GetAdditionalGroups)', () => {
    const g = parseGroup('root:x:0:\napp:x:1000:\n');
    expect(resolveGroupAdd(['app', '0', '1234', 'app'], g)).toEqual([1000, 0, 1234]);
    expect(() => resolveGroupAdd(['nosuch'], g)).toThrow('Unable to find group nosuch: no matching entries in group file');
    expect(() => resolveGroupAdd(['4294967296'], g)).toThrow('uids and gids must be in range');
  });
});
