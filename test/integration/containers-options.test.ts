/**
 * Issue 9 through the stock docker CLI and the raw API: every create option either takes effect
 * (observable in the container or on the host) or is refused with a 400 naming it, validation
 * happens at create and creates nothing on failure, and dockerd's warnings are returned.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

describe.skipIf(!IS_ROOT)('containers: create options take effect or are refused', () => {
  let env: ContainersEnv;
  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const create = (body: Record<string, unknown>, name?: string) =>
    engineRequest(env.berthd.socket, 'POST', `/containers/create${name ? `?name=${name}` : ''}`, JSON.stringify({ Image: env.image, Cmd: ['true'], ...body }));
  const count = async (): Promise<number> => (JSON.parse((await engineRequest(env.berthd.socket, 'GET', '/containers/json?all=1')).body) as unknown[]).length;

  it('--tmpfs and --mount type=tmpfs are real tmpfs mounts with their size; nothing lands in the upper dir', async () => {
    const run = await env.d([
      'run', '--name', 'tmpfs1', '--tmpfs', '/scratch:size=1m,mode=700', '--mount', 'type=tmpfs,destination=/t2,tmpfs-size=2097152', env.image,
      'sh', '-c', 'grep -E " /(scratch|t2) " /proc/mounts; stat -c %a /scratch; echo data > /scratch/f; echo data > /t2/g',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=700/m);
    expect(run.stdout).toMatch(/^tmpfs \/t2 tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k/m);
    expect(run.stdout).toMatch(/^700$/m);
    const upper = (await env.d(['inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', 'tmpfs1'])).stdout.trim();
    expect(await exists(join(upper, 'scratch', 'f'))).toBe(false);
    expect(await exists(join(upper, 't2', 'g'))).toBe(false);
    const hc = JSON.parse((await env.d(['inspect', '-f', '{{json .HostConfig}}', 'tmpfs1'])).stdout) as Record<string, unknown>;
    expect(hc['Tmpfs']).toEqual({ '/scratch': 'size=1m,mode=700' });
    expect(hc['Mounts']).toEqual([expect.objectContaining({ Type: 'tmpfs', Target: '/t2' })]);
    await env.d(['rm', 'tmpfs1']);
  });

  it('refuses options berthd does not apply with a 400 naming the field, creating nothing', async () => {
    const before = await count();
    const storage = await env.d(['create', '--storage-opt', 'size=1G', env.image]);
    expect(storage.code).not.toBe(0);
    // dockerd's words when the data root is not xfs with pquota (berthd never sizes a layer).
    expect(storage.stderr).toMatch(/HostConfig.StorageOpt: (--storage-opt is supported only for overlay over xfs with 'pquota' mount option|not supported by berthd)/);
    const unknown = await create({ HostConfig: { NotAField: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatch(/HostConfig.*NotAField/);
    const annotations = await create({ HostConfig: { Annotations: { a: 'b' } } });
    expect(annotations.status).toBe(400);
    expect(JSON.parse(annotations.body)).toEqual({ message: 'HostConfig.Annotations: not supported by berthd' });
    expect(await count()).toBe(before);
  });

  it('validates at create: relative bind source, empty target, unknown capability, relative WorkingDir, restart policy, log driver', async () => {
    const before = await count();
    const relName = `berth-rel-bind-${process.pid}`;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ HostConfig: { Mounts: [{ Type: 'bind', Source: relName, Target: '/x' }] } }, /mount path must be absolute/],
      [{ HostConfig: { Mounts: [{ Type: 'bind', Source: '/tmp', Target: '' }] } }, /Target must not be empty/],
      [{ HostConfig: { Mounts: [{ Type: 'bind', Source: `/nonexistent-${process.pid}`, Target: '/x' }] } }, /bind source path does not exist/],
      [{ HostConfig: { CapAdd: ['FOO'] } }, /unknown capability: "FOO"/],
      [{ WorkingDir: 'app' }, /the working directory 'app' is invalid/],
      [{ HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, /unknown policy 'sometimes'/],
      [{ HostConfig: { LogConfig: { Type: 'carrier-pigeon' } } }, /no log driver named 'carrier-pigeon'/],
      [{ HostConfig: { Tmpfs: { '/run': 'bogus' } } }, /invalid tmpfs option "bogus"/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body, 'should-not-exist');
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((JSON.parse(res.body) as { message: string }).message).toMatch(message);
    }
    expect(await count()).toBe(before);
    // A relative Source used to be created as a directory in berthd's working directory.
    expect(await exists(join(process.cwd(), relName))).toBe(false);
    // The name was never taken.
    expect((await create({}, 'should-not-exist')).status).toBe(201);
    await env.d(['rm', 'should-not-exist']);
  });

  it('returns dockerd warnings for options it discards on Linux', async () => {
    const res = await create({ HostConfig: { CpuCount: 2 } }, 'warned');
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ Warnings: ['linux does not support CPU count. Count discarded.'] });
    const hc = JSON.parse((await env.d(['inspect', '-f', '{{json .HostConfig}}', 'warned'])).stdout) as Record<string, unknown>;
    expect(hc['CpuCount']).toBe(0);
    await env.d(['rm', 'warned']);
  });

  it('inspect reports every HostConfig field with the value in force, no echo of unapplied ones', async () => {
    await env.d(['create', '--name', 'insp', '--memory', '64m', '--shm-size', '8m', env.image]);
    const hc = JSON.parse((await env.d(['inspect', '-f', '{{json .HostConfig}}', 'insp'])).stdout) as Record<string, unknown>;
    expect(hc).toMatchObject({ Memory: 64 << 20, ShmSize: 8 << 20, IpcMode: 'private', CgroupnsMode: 'host', Runtime: 'runc', OomScoreAdj: 0, PidMode: '', GroupAdd: null, Ulimits: [], Devices: [] });
    expect(hc).not.toHaveProperty('KernelMemory');
    await env.d(['rm', 'insp']);
  });
});
