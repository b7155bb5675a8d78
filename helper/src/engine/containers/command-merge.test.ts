import { describe, expect, it } from 'vitest';
import { DEFAULT_PATH, mergeEnv, mergeRunConfig, processEnv, type ImageRunConfig, type UserRunConfig } from './command-merge';

const image: ImageRunConfig = {
  cmd: ['/bin/sh', '-c', 'echo from image'],
  entrypoint: null,
  env: ['PATH=/usr/bin:/bin', 'A=image'],
  workingDir: '/srv',
  user: 'daemon',
  labels: { a: 'image', b: 'image' },
  stopSignal: 'SIGQUIT',
};
const user = (over: Partial<UserRunConfig> = {}): UserRunConfig => ({ cmd: null, entrypoint: null, env: [], workingDir: '', user: '', labels: {}, ...over });

describe('mergeRunConfig (moby daemon/commit.go merge)', () => {
  it('takes the image Cmd when the request has none (shell form stays as the builder stored it)', () => {
    const m = mergeRunConfig(user(), image);
    expect([m.path, ...m.args]).toEqual(['/bin/sh', '-c', 'echo from image']);
  });

  it('a request Cmd replaces the image Cmd and keeps the image Entrypoint', () => {
    const m = mergeRunConfig(user({ cmd: ['-x'] }), { ...image, entrypoint: ['/app'] });
    expect([m.path, ...m.args]).toEqual(['/app', '-x']);
    expect(m.entrypoint).toEqual(['/app']);
  });

  it('a request Entrypoint drops the image Cmd', () => {
    const m = mergeRunConfig(user({ entrypoint: ['/bin/echo'] }), { ...image, entrypoint: ['/app'] });
    expect([m.path, ...m.args]).toEqual(['/bin/echo']);
    expect(m.cmd).toBeNull();
  });

  it('--entrypoint "" clears the image entrypoint without inheriting its Cmd', () => {
    const m = mergeRunConfig(user({ entrypoint: [''], cmd: ['ls'] }), { ...image, entrypoint: ['/app'] });
    expect([m.path, ...m.args]).toEqual(['ls']);
    expect(m.entrypoint).toBeNull();
  });

  it('refuses an empty command', () => {
    expect(() => mergeRunConfig(user(), { ...image, cmd: null })).toThrow(/no command specified/);
  });

  it('merges env, labels, workdir, user and stop signal', () => {
    const m = mergeRunConfig(user({ env: ['A=user', 'B=1'], labels: { b: 'user' }, workingDir: '/w' }), image);
    expect(m.env).toEqual(['A=user', 'B=1', 'PATH=/usr/bin:/bin']);
    expect(m.labels).toEqual({ a: 'image', b: 'user' });
    expect(m.workingDir).toBe('/w');
    expect(m.user).toBe('daemon');
    expect(m.stopSignal).toBe('SIGQUIT');
  });

  it('mergeEnv keeps request order and appends only unseen image keys', () => {
    expect(mergeEnv(['X=1'], ['X=2', 'Y=3'])).toEqual(['X=1', 'Y=3']);
  });
});

describe('processEnv', () => {
  it('adds PATH, HOSTNAME, TERM and HOME as dockerd and runc do', () => {
    expect(processEnv([], { hostname: 'abc', tty: true, home: '/root' })).toEqual([DEFAULT_PATH, 'HOSTNAME=abc', 'TERM=xterm', 'HOME=/root']);
  });
  it('lets the config override the defaults', () => {
    expect(processEnv(['PATH=/x', 'TERM=vt100', 'HOME=/h', 'HOSTNAME=mine'], { hostname: 'abc', tty: true, home: '/root' })).toEqual([
      'HOSTNAME=mine',
      'TERM=vt100',
      'PATH=/x',
      'HOME=/h',
    ]);
  });
});
