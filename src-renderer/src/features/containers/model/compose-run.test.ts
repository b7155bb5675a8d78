import { describe, expect, it } from 'vitest';
import { applyComposeEvent, composeFormErrors, defaultProjectName } from './compose-run';

describe('compose run model', () => {
  it('defaults the project to the directory name, as compose normalises it', () => {
    expect(defaultProjectName('/home/me/My Shop.v2/compose.yaml')).toBe('myshopv2');
    expect(defaultProjectName('/srv/_web-app/docker-compose.yml')).toBe('web-app');
    expect(defaultProjectName('compose.yaml')).toBe('');
  });

  it('asks for an absolute path and a compose project name', () => {
    expect(composeFormErrors({ file: '', project: 'x' }).file).toBeDefined();
    expect(composeFormErrors({ file: 'app/compose.yaml', project: 'x' }).file).toMatch(/absolute/);
    expect(composeFormErrors({ file: '/a/compose.yaml', project: 'Shop' }).project).toMatch(/Lowercase/);
    expect(composeFormErrors({ file: '/a/compose.yaml', project: 'shop_1' })).toEqual({});
  });

  it('keeps the latest states and appends output', () => {
    let s = applyComposeEvent({ services: [], lines: [], done: false }, { client: 'docker-compose 1.29.2', lines: [], services: [{ service: 'web', state: 'waiting' }] });
    s = applyComposeEvent(s, { lines: ['Creating p_web_1 ... done'], services: [{ service: 'web', state: 'started' }], done: { project: 'p', durationMs: 5 } });
    expect(s).toEqual({ client: 'docker-compose 1.29.2', services: [{ service: 'web', state: 'started' }], lines: ['Creating p_web_1 ... done'], done: true });
  });
});
