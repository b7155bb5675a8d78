/**
 * The data root is closed to host users (issue 12): a setuid binary written inside a container
 * sits in its overlay upper dir, and an unprivileged host user cannot run it through the data
 * root (dockerd: 0710 root, CVE-2021-41091); blobs and image configs are 0600, and an older, loose
 * data root is tightened when berthd starts.
 */
import { execFile } from 'node:child_process';
import { chmod, lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerInspectResponse } from '../../src-shared/docker-api/containers';
import { IS_ROOT } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { findDockerdBinary, startDockerd } from '../harness/dockerd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

const NOBODY = 65534;

/** Runs a shell command as uid/gid 65534 with no supplementary groups (util-linux setpriv). */
function asNobody(script: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', '/bin/sh', '-c', script], (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(p, ...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

const modeOf = async (p: string): Promise<number> => (await lstat(p)).mode & 0o7777;

describe.skipIf(!IS_ROOT)('security: a closed data root', () => {
  let env: ContainersEnv;
  let upper = '';
  beforeAll(async () => {
    env = await startContainersEnv();
    // The test's temp dir is 0700 (mkdtemp): open it so only the data root's own modes decide.
    await chmod(dirname(env.berthd.dataRoot), 0o755);
    const r = await env.d(['run', '--name', 'suid', env.image, 'sh', '-c', 'cp /bin/busybox /suid && chmod 4755 /suid && echo secret > /secret && chmod 644 /secret']);
    expect(r.code, r.stderr).toBe(0);
    const inspect = JSON.parse((await env.d(['inspect', 'suid'])).stdout) as ContainerInspectResponse[];
    upper = inspect[0]?.GraphDriver?.Data?.UpperDir ?? '';
    expect(upper.startsWith(env.berthd.dataRoot)).toBe(true);
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('keeps a setuid binary written in a container out of an unprivileged host user’s reach', async () => {
    const suid = join(upper, 'suid');
    expect((await stat(suid)).mode & 0o7777).toBe(0o4755);
    // As dockerd: the shell cannot even reach the file through the data root.
    const run = await asNobody(`${suid} id -u`);
    expect(run.code).toBe(126);
    expect(run.out).toMatch(/Permission denied/);
    expect(run.out).not.toMatch(/^0$/m);
    const read = await asNobody(`cat ${join(upper, 'secret')}`);
    expect(read.code).not.toBe(0);
    expect(read.out).toMatch(/Permission denied/);
  });

  it.skipIf(!findDockerdBinary())('answers the unprivileged user exactly as dockerd’s data root does', async () => {
    const dockerd = await startDockerd();
    try {
      await chmod(dockerd.dir, 0o755);
      expect((await docker(dockerd.dockerHost, ['pull', env.image], { timeoutMs: 120_000 })).code).toBe(0);
      const r = await docker(dockerd.dockerHost, ['run', '--name', 'suid', env.image, 'sh', '-c', 'cp /bin/busybox /suid && chmod 4755 /suid']);
      expect(r.code, r.stderr).toBe(0);
      const theirUpper = (JSON.parse((await docker(dockerd.dockerHost, ['inspect', 'suid'])).stdout) as ContainerInspectResponse[])[0]?.GraphDriver?.Data?.UpperDir ?? '';
      expect((await stat(join(theirUpper, 'suid'))).mode & 0o7777).toBe(0o4755);
      const theirs = await asNobody(`${join(theirUpper, 'suid')} id -u`);
      const ours = await asNobody(`${join(upper, 'suid')} id -u`);
      expect(ours.code).toBe(theirs.code);
      // Same shell message, only the path differs.
      expect(ours.out.replace(upper, '<upper>')).toBe(theirs.out.replace(theirUpper, '<upper>'));
      await docker(dockerd.dockerHost, ['rm', '-f', 'suid']);
    } finally {
      await dockerd.stop();
    }
  });

  it('lays the data root out 0710 root with blobs and image configs 0600', async () => {
    const root = env.berthd.dataRoot;
    const top = await stat(root);
    expect([top.mode & 0o7777, top.uid, top.gid]).toEqual([0o710, 0, 0]);
    for (const d of ['overlay2', 'containers', 'image', 'volumes']) expect(await modeOf(join(root, d)), d).toBe(0o710);
    const blobs = await filesUnder(join(root, 'content/blobs'));
    const configs = await filesUnder(join(root, 'image/overlay2/imagedb/content'));
    expect(blobs.length).toBeGreaterThan(1);
    expect(configs.length).toBeGreaterThan(0);
    for (const f of [...blobs, ...configs]) {
      const s = await lstat(f);
      expect(s.mode & 0o777, f).toBe(s.isDirectory() ? 0o700 : 0o600);
    }
    const listing = await asNobody(`ls ${root}`);
    expect(listing.code).not.toBe(0);
    expect(listing.out).toMatch(/Permission denied/);
  });

  it('tightens a loose data root at start', async () => {
    const root = env.berthd.dataRoot;
    await env.berthd.stop();
    await chmod(root, 0o755);
    for (const d of ['overlay2', 'containers', 'image', 'content']) await chmod(join(root, d), 0o755);
    const blobs = (await filesUnder(join(root, 'content/blobs'))).filter((f) => !f.endsWith('sha256'));
    for (const f of blobs) await chmod(f, 0o644);
    env.berthd = await env.berthd.restart();
    expect(await modeOf(root)).toBe(0o710);
    for (const d of ['overlay2', 'containers', 'image']) expect(await modeOf(join(root, d)), d).toBe(0o710);
    expect(await modeOf(join(root, 'content'))).toBe(0o700);
    for (const f of blobs) expect(await modeOf(f), f).toBe(0o600);
    expect(env.berthd.logs()).toMatch(/data root had loose permissions/);
    expect((await env.d(['run', '--rm', env.image, 'true'])).code).toBe(0);
  });
});
