import { describe, expect, it } from 'vitest';
import { EMPTY_BUILD_FORM, toBuildArgs } from './build-form';

describe('toBuildArgs', () => {
  it('turns the form into build arguments', () => {
    expect(toBuildArgs('local', { ...EMPTY_BUILD_FORM, contextPath: ' /src/app ', tags: 'app:1, app:latest', buildArgs: 'A=1\n\nB=x=y', target: 'final', noCache: true })).toEqual({
      args: { hostId: 'local', contextPath: '/src/app', dockerfile: 'Dockerfile', tags: ['app:1', 'app:latest'], buildArgs: { A: '1', B: 'x=y' }, target: 'final', noCache: true },
    });
  });

  it('names the field that is wrong', () => {
    expect(toBuildArgs('local', { ...EMPTY_BUILD_FORM, contextPath: 'src' })).toMatchObject({ error: { field: 'contextPath' } });
    expect(toBuildArgs('local', { ...EMPTY_BUILD_FORM, contextPath: '/s', buildArgs: 'no equals' })).toMatchObject({ error: { field: 'buildArgs', message: 'Not KEY=value: no equals' } });
    expect(toBuildArgs('local', { ...EMPTY_BUILD_FORM, contextPath: '/s', tags: 'Bad Tag' })).toMatchObject({ error: { field: 'tags' } });
  });
});
