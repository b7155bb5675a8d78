import { describe, expect, it } from 'vitest';
import type { ContainerRecord } from '../../store/containers/container-record';
import { commitConfig } from './container-commit';

const rec = {
  config: { hostname: 'abc', domainname: '', user: 'app', env: ['PATH=/bin', 'A=1'], cmd: ['sh'], entrypoint: null, workingDir: '/w', labels: { l: '1' }, volumes: null, onBuild: null, image: 'x' },
} as unknown as ContainerRecord;

describe('commit config', () => {
  it("is the container's config with the body's fields and the changes on top", () => {
    const cfg = commitConfig(rec, { WorkingDir: '/other' }, ['CMD ["echo","hi"]', 'ENV B=2', 'ONBUILD RUN true', 'EXPOSE 80']);
    expect(cfg.Cmd).toEqual(['echo', 'hi']);
    expect(cfg.Env).toEqual(['PATH=/bin', 'A=1', 'B=2']);
    expect(cfg.WorkingDir).toBe('/other');
    expect(cfg.User).toBe('app');
    expect(cfg.OnBuild).toEqual(['RUN true']);
    expect(cfg.ExposedPorts).toEqual({ '80/tcp': {} });
  });

  it('refuses instructions commit does not take', () => {
    expect(() => commitConfig(rec, undefined, ['RUN echo'])).toThrow(/RUN is not a valid change command/);
  });
});
