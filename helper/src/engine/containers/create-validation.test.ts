import { describe, expect, it } from 'vitest';
import { defaultHostConfig, type ContainerConfig, type HostConfig } from '../../store/containers/container-record';
import { validateCreate } from './create-validation';

const config = { workingDir: '' } as ContainerConfig;
const info = { swapLimit: true, ncpu: 2 };
const check = (hc: Partial<HostConfig>, cfg: Partial<ContainerConfig> = {}): string[] => validateCreate({ ...config, ...cfg }, { ...defaultHostConfig(), ...hc }, info);

describe('validateCreate (dockerd verifyContainerSettings)', () => {
  it('accepts the defaults', () => {
    expect(check({})).toEqual([]);
  });

  it.each<[string, Partial<HostConfig>, Partial<ContainerConfig>, RegExp]>([
    ['relative WorkingDir', {}, { workingDir: 'app' }, /the working directory 'app' is invalid, it needs to be an absolute path/],
    ['unknown capability', { capAdd: ['CAP_FOO'] }, {}, /invalid CapAdd: unknown capability: "CAP_FOO"/],
    ['unknown restart policy', { restartPolicy: { name: 'sometimes', maximumRetryCount: 0 } }, {}, /unknown policy 'sometimes'/],
    ['retry count without on-failure', { restartPolicy: { name: 'always', maximumRetryCount: 3 } }, {}, /maximum retry count can only be used with 'on-failure'/],
    ['restart with --rm', { autoRemove: true, restartPolicy: { name: 'always', maximumRetryCount: 0 } }, {}, /AutoRemove.*restart policy/],
    ['unknown log driver', { logConfig: { type: 'carrier-pigeon', config: {} } }, {}, /no log driver named 'carrier-pigeon'/],
    ['unknown log option', { logConfig: { type: 'json-file', config: { colour: 'red' } } }, {}, /unknown log opt 'colour'/],
    ['relative bind source', { mounts: [{ type: 'bind', source: 'rel', destination: '/x', readOnly: false, mode: '' }] }, {}, /invalid mount path: 'rel' mount path must be absolute/],
    ['empty target', { mounts: [{ type: 'bind', source: '/tmp', destination: '', readOnly: false, mode: '' }] }, {}, /field Target must not be empty/],
    ['bad tmpfs option', { tmpfs: { '/run': 'size=1m,bogus' } }, {}, /invalid tmpfs option "bogus"/],
    ['unknown runtime', { runtime: 'kata' }, {}, /unknown or invalid runtime name: kata/],
    ['oom score out of range', { oomScoreAdj: 2000 }, {}, /range for oom score adj is \[-1000, 1000\]/],
    ['too many CPUs', { nanoCpus: 3e9 }, {}, /only 2 CPUs available/],
    ['swap without memory', { memorySwap: 1 << 30 }, {}, /set the Memory limit when using Memoryswap/],
  ])('refuses %s', (_what, hc, cfg, message) => {
    expect(() => check(hc, cfg)).toThrow(expect.objectContaining({ kind: 'InvalidArgument', message: expect.stringMatching(message) }));
  });

  it('warns, as dockerd, when swap cannot be limited', () => {
    expect(validateCreate(config, { ...defaultHostConfig(), memory: 64 << 20, memorySwap: 128 << 20 }, { swapLimit: false, ncpu: 2 })).toEqual([
      'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
    ]);
  });
});
