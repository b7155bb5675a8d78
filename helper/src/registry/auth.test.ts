import { describe, expect, it } from 'vitest';
import { basicAuthHeader, decodeRegistryAuth, parseWwwAuthenticate } from './auth';

describe('parseWwwAuthenticate', () => {
  it('parses a Bearer challenge with quoted params', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
  });
  it('parses Basic and prefers Bearer when both are offered', () => {
    expect(parseWwwAuthenticate('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
    expect(parseWwwAuthenticate(['Basic realm="x"', 'Bearer realm="http://t/token"'])?.scheme).toBe('bearer');
    expect(parseWwwAuthenticate('Negotiate abc')).toBeUndefined();
  });
});

describe('decodeRegistryAuth', () => {
  const enc = (o: unknown, url = true): string => {
    const b = Buffer.from(JSON.stringify(o)).toString('base64');
    return url ? b.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : b;
  };
  it('decodes base64url and standard base64, with or without padding', () => {
    expect(decodeRegistryAuth(enc({ username: 'u', password: 'p?>', serveraddress: 'x' }))).toEqual({ username: 'u', password: 'p?>' });
    expect(decodeRegistryAuth(enc({ username: 'u', password: 'p?>' }, false))).toEqual({ username: 'u', password: 'p?>' });
  });
  it('splits `auth` into user and password, and reads tokens', () => {
    expect(decodeRegistryAuth(enc({ auth: Buffer.from('me:se:cret').toString('base64') }))).toEqual({ username: 'me', password: 'se:cret' });
    expect(decodeRegistryAuth(enc({ identitytoken: 'rt' }))).toEqual({ identityToken: 'rt' });
  });
  it('treats {} and garbage as anonymous', () => {
    expect(decodeRegistryAuth(enc({}))).toBeUndefined();
    expect(decodeRegistryAuth('!!!')).toBeUndefined();
    expect(decodeRegistryAuth(undefined)).toBeUndefined();
  });
  it('builds a Basic header', () => {
    expect(basicAuthHeader({ username: 'a', password: 'b' })).toBe(`Basic ${Buffer.from('a:b').toString('base64')}`);
    expect(basicAuthHeader({ username: 'a' })).toBeUndefined();
  });
});
