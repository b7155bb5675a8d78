import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf, hostsFieldMatches, keyTypeOf, KnownHostsStore, parseKnownHosts, verifyHostKey } from './known-hosts';

/** A syntactically valid SSH public key blob: string type + 32 random bytes. */
function blob(type = 'ssh-ed25519'): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  const k = randomBytes(32);
  const klen = Buffer.alloc(4);
  klen.writeUInt32BE(32);
  return Buffer.concat([len, t, klen, k]);
}

const line = (hosts: string, key: Buffer, type = keyTypeOf(key)): string => `${hosts} ${type} ${key.toString('base64')}`;

describe('known_hosts', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('fingerprints like ssh-keygen -l -E sha256 (base64, no padding)', () => {
    const key = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', 'base64');
    expect(keyTypeOf(key)).toBe('ssh-ed25519');
    expect(fingerprintOf(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('matches [host]:port literally, plain hosts for port 22, globs and negations', () => {
    expect(hostsFieldMatches('[127.0.0.1]:2222', '[127.0.0.1]:2222')).toBe(true);
    expect(hostsFieldMatches('[127.0.0.1]:2222', '1')).toBe(false);
    expect(hostsFieldMatches('[127.0.0.1]:2222', '[127.0.0.1]:2223')).toBe(false);
    expect(hostsFieldMatches('example.com,10.0.0.1', '10.0.0.1')).toBe(true);
    expect(hostsFieldMatches('*.example.com', 'a.example.com')).toBe(true);
    expect(hostsFieldMatches('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
  });

  it('matches hashed host names (HashKnownHosts)', () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update('[10.1.2.3]:2200').digest('base64');
    const hashed = `|1|${salt.toString('base64')}|${hash}`;
    expect(hostsFieldMatches(hashed, '[10.1.2.3]:2200')).toBe(true);
    expect(hostsFieldMatches(hashed, '[10.1.2.3]:2201')).toBe(false);
  });

  it('known / unknown / changed / revoked verdicts', () => {
    const good = blob();
    const other = blob();
    const rsa = blob('ssh-rsa');
    const entries = parseKnownHosts([line('[h]:2222', good), line('otherhost', other), '# comment', ''].join('\n'), 'f');
    expect(verifyHostKey(entries, 'h', 2222, good).result).toBe('known');
    expect(verifyHostKey(entries, 'newhost', 22, good).result).toBe('unknown');
    const changed = verifyHostKey(entries, 'h', 2222, other);
    expect(changed).toMatchObject({ result: 'changed', knownFingerprint: fingerprintOf(good), file: 'f', line: 1 });
    // Another key TYPE for a known host is not a mismatch (OpenSSH asks), but it is not known either.
    expect(verifyHostKey(entries, 'h', 2222, rsa).result).toBe('unknown');
    const revoked = parseKnownHosts(`@revoked * ${keyTypeOf(good)} ${good.toString('base64')}`, 'r');
    expect(verifyHostKey(revoked, 'h', 2222, good).result).toBe('changed');
  });

  it('accept() writes only our file, atomically, and never replaces a different key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kh-'));
    dirs.push(dir);
    const user = join(dir, 'user_known_hosts');
    const own = join(dir, 'state', 'known_hosts');
    const k1 = blob();
    const k2 = blob();
    await writeFile(user, `${line('[a]:2022', k1)}\n`);
    const store = new KnownHostsStore({ ownFile: own, readFiles: [user, join(dir, 'missing')] });
    expect((await store.verify('a', 2022, k1)).result).toBe('known');
    expect((await store.accept('a', 2022, k2)).result).toBe('changed');
    await expect(readFile(own, 'utf8')).rejects.toThrow();
    expect((await store.accept('b', 22, k2)).result).toBe('known');
    expect(await readFile(own, 'utf8')).toBe(`${line('b', k2)}\n`);
    expect((await store.verify('b', 22, k2)).result).toBe('known');
    expect(await store.knownKeyTypes('b', 22)).toEqual(['ssh-ed25519']);
    expect(await readFile(user, 'utf8')).toBe(`${line('[a]:2022', k1)}\n`);
  });
});
