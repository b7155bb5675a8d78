import ssh2 from 'ssh2';

const { utils } = ssh2;

/**
 * A machine's client or host key pair. ssh2's generator drops leading zero bytes of an ed25519
 * public key (about 1 pair in 370 comes out with a 31-byte key) that neither ssh2 nor OpenSSH can
 * parse back: the machine would boot and never be reachable ("Malformed OpenSSH private key").
 * Such a pair is made again.
 */
export function ed25519KeyPair(comment: string, generate = () => utils.generateKeyPairSync('ed25519', { comment })): { private: string; public: string } {
  for (let attempt = 0; attempt < 100; attempt++) {
    const pair = generate();
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error('could not generate a valid ed25519 key pair');
}
