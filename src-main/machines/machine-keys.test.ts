import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { ed25519KeyPair } from './machine-keys';

describe('ed25519KeyPair', () => {
  it('every pair it returns parses, over many draws (ssh2 alone fails about 1 in 370)', () => {
    for (let i = 0; i < 2000; i++) {
      const pair = ed25519KeyPair('t');
      expect(ssh2.utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
      expect(ssh2.utils.parseKey(pair.public)).not.toBeInstanceOf(Error);
    }
  });

  it('draws again when the generator yields a key ssh2 cannot parse', () => {
    const good = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'ok' });
    const draws = [{ private: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n', public: good.public }, good];
    let n = 0;
    expect(ed25519KeyPair('t', () => draws[n++]!)).toBe(good);
    expect(n).toBe(2);
  });
});
