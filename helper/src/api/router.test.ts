import { describe, expect, it } from 'vitest';
import { BerthError } from '../lib/errors';
import { Router } from './router';

const noop = (): void => undefined;
const router = new Router([
  [
    { method: 'GET', path: '/containers/:id/json', handler: noop },
    { method: 'GET', path: '/images/:name*/json', handler: noop },
  ],
]);

const kindOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof BerthError ? err.kind : `not a BerthError: ${String(err)}`;
  }
};

describe('Router.match', () => {
  it('decodes percent-escaped parameters and keeps the query', () => {
    const m = router.match('GET', '/v1.41/images/localhost%3A5000%2Fa%2Fb/json?x=1&y=%20');
    expect(m.params).toEqual({ name: 'localhost:5000/a/b' });
    expect(m.query.get('y')).toBe(' ');
    expect(m.apiVersion).toBe('1.41');
  });

  it.each([
    ['/containers/%E0%A4%A/json', 'InvalidArgument'],
    ['/containers/%/json', 'InvalidArgument'],
    ['/images/%ZZ/json', 'InvalidArgument'],
    ['//', 'NotFound'],
    ['//evil.example/containers/x/json', 'NotFound'],
    ['http://berthd/containers/x/json', 'InvalidArgument'],
    ['*', 'InvalidArgument'],
    ['/containers/x/json?%E0%A4%A=%', 'ok'],
  ])('answers %s with a client error kind, never a stray exception', (url, kind) => {
    expect(kindOf(() => router.match('GET', url))).toBe(kind);
  });
});
