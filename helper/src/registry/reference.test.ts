import { describe, expect, it } from 'vitest';
import { familiarString, parseReference, referenceFromPullQuery, referenceString, withDefaultTag } from './reference';

const D = 'sha256:' + 'ab'.repeat(32);

describe('parseReference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['user/app', 'docker.io/user/app'],
    ['index.docker.io/library/alpine:3', 'docker.io/library/alpine:3'],
    ['docker.io/busybox', 'docker.io/library/busybox'],
    ['localhost/app', 'localhost/app'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1'],
    ['127.0.0.1:5000/a/b/c:tag', '127.0.0.1:5000/a/b/c:tag'],
    ['ghcr.io/owner/repo', 'ghcr.io/owner/repo'],
    [`busybox@${D}`, `docker.io/library/busybox@${D}`],
    [`busybox:1@${D}`, `docker.io/library/busybox:1@${D}`],
    ['[::1]:5000/app', '[::1]:5000/app'],
  ])('normalises %s', (input, want) => {
    expect(referenceString(parseReference(input))).toBe(want);
  });

  it('adds latest only when neither tag nor digest is given', () => {
    expect(withDefaultTag(parseReference('busybox')).tag).toBe('latest');
    expect(withDefaultTag(parseReference(`busybox@${D}`)).tag).toBeUndefined();
  });

  it('renders the familiar form docker images prints', () => {
    expect(familiarString(parseReference('docker.io/library/busybox:latest'))).toBe('busybox:latest');
    expect(familiarString(parseReference('docker.io/user/app:1'))).toBe('user/app:1');
    expect(familiarString(parseReference('127.0.0.1:5000/x:1'))).toBe('127.0.0.1:5000/x:1');
  });

  it.each([
    ['', /at least one component/],
    ['Busybox', /must be lowercase/],
    ['busybox:', /invalid reference format/],
    ['busybox:tag with space', /invalid reference format/],
    ['busybox@sha256:abc', /invalid reference format/],
    ['-leading/dash', /invalid reference format/],
    ['a//b', /invalid reference format/],
    ['0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', /64-hex image ID/],
  ])('refuses %j with 400-kind errors', (input, msg) => {
    expect(() => parseReference(input)).toThrow(msg);
    try {
      parseReference(input);
    } catch (err) {
      expect((err as { kind: string }).kind).toBe('InvalidArgument');
    }
  });
});

describe('referenceFromPullQuery', () => {
  it('treats a digest-shaped tag as a digest, and defaults to latest', () => {
    expect(referenceFromPullQuery('busybox', D)).toEqual({ domain: 'docker.io', path: 'library/busybox', digest: D });
    expect(referenceFromPullQuery('busybox', 'musl')).toEqual({ domain: 'docker.io', path: 'library/busybox', tag: 'musl' });
    expect(referenceFromPullQuery('busybox', undefined).tag).toBe('latest');
    expect(referenceFromPullQuery('busybox:1.2', '').tag).toBe('1.2');
  });
});
