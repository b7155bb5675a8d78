/**
 * Issue 9, per-process HostConfig options through the stock docker CLI: each one is seen from
 * inside the container (and in its execs, which dockerd gives the container's settings too), and
 * inspect reports it.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

describe.skipIf(!IS_ROOT)('containers: per-process options take effect', () => {
  let env: ContainersEnv;
  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const inspectHc = async (name: string): Promise<Record<string, unknown>> =>
    JSON.parse((await env.d(['inspect', '-f', '{{json .HostConfig}}', name])).stdout) as Record<string, unknown>;

  it('--oom-score-adj is the oom_score_adj of the container and of its execs; the default is 0', async () => {
    const run = await env.d(['run', '-d', '--name', 'oom1', '--oom-score-adj', '317', env.image, 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);
    const pid = (await env.d(['inspect', '-f', '{{.State.Pid}}', 'oom1'])).stdout.trim();
    expect((await readFile(`/proc/${pid}/oom_score_adj`, 'utf8')).trim()).toBe('317');
    const ex = await env.d(['exec', 'oom1', 'cat', '/proc/self/oom_score_adj']);
    expect(ex.stdout.trim()).toBe('317');
    expect(await inspectHc('oom1')).toMatchObject({ OomScoreAdj: 317 });
    const dflt = await env.d(['run', '--rm', env.image, 'cat', '/proc/self/oom_score_adj']);
    expect(dflt.stdout.trim()).toBe('0');
    const bad = await env.d(['create', '--oom-score-adj', '1001', env.image]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Invalid value 1001, range for oom score adj is [-1000, 1000]');
    await env.d(['rm', '-f', 'oom1']);
  });
});
