/**
 * Shared pieces of the build suites: context folders on disk, a layer-content digest read from an
 * image's overlay2 diff directories (berthd's or a private dockerd's), and the image config fields
 * the builders must agree on.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { docker, type DockerResult } from '../harness/docker-cli';

/** Writes `files` (path -> content) into a fresh temp folder and returns it. */
export async function makeContext(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-build-ctx-'));
  for (const [p, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), content);
  }
  return dir;
}

/** `DOCKER_BUILDKIT=0 docker build …` against a daemon. */
export function classicBuild(dockerHost: string, args: string[], timeoutMs = 300_000): Promise<DockerResult> {
  return docker(dockerHost, ['build', ...args], { env: { DOCKER_BUILDKIT: '0' }, timeoutMs });
}

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  for (const name of (await readdir(join(root, rel))).sort()) {
    const p = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(join(root, p));
    const mode = (st.mode & 0o7777).toString(8);
    const own = `${st.uid}:${st.gid}`;
    if (st.isDirectory()) {
      out.push(`d ${p} ${mode} ${own}`);
      await walk(root, p, out);
    } else if (st.isSymbolicLink()) out.push(`l ${p} -> ${await readlink(join(root, p))} ${own}`);
    else if (st.isFile()) out.push(`f ${p} ${mode} ${own} ${createHash('sha256').update(await readFile(join(root, p))).digest('hex').slice(0, 16)}`);
    else if (st.isCharacterDevice() && st.rdev === 0) out.push(`w ${p}`);
    else out.push(`? ${p}`);
  }
}

/** Every layer of an image, base first, as sorted `type path mode uid:gid [content]` lines (no mtimes). */
export async function layerContents(dockerHost: string, image: string): Promise<string[][]> {
  const r = await docker(dockerHost, ['image', 'inspect', image]);
  if (r.code !== 0) throw new Error(r.stderr);
  const data = (JSON.parse(r.stdout) as { GraphDriver: { Data: Record<string, string> } }[])[0]?.GraphDriver.Data ?? {};
  const dirs = [...(data.LowerDir ? data.LowerDir.split(':').reverse() : []), data.UpperDir as string];
  const out: string[][] = [];
  for (const d of dirs) {
    const lines: string[] = [];
    await walk(d, '', lines);
    out.push(lines.sort());
  }
  return out;
}

export interface ComparedConfig {
  Cmd: unknown;
  Entrypoint: unknown;
  Env: unknown;
  User: unknown;
  WorkingDir: unknown;
  ExposedPorts: unknown;
  Healthcheck: unknown;
  Labels: unknown;
  Volumes: unknown;
  StopSignal: unknown;
  OnBuild: unknown;
}

export async function comparedConfig(dockerHost: string, image: string): Promise<ComparedConfig> {
  const r = await docker(dockerHost, ['image', 'inspect', image]);
  if (r.code !== 0) throw new Error(r.stderr);
  const c = (JSON.parse(r.stdout) as { Config: Record<string, unknown> }[])[0]?.Config ?? {};
  const norm = (v: unknown): unknown => (v === undefined || (v !== null && typeof v === 'object' && Object.keys(v).length === 0) ? null : v);
  return {
    Cmd: norm(c.Cmd),
    Entrypoint: norm(c.Entrypoint),
    Env: norm(c.Env),
    User: c.User ?? '',
    WorkingDir: c.WorkingDir ?? '',
    ExposedPorts: norm(c.ExposedPorts),
    Healthcheck: norm(c.Healthcheck),
    Labels: norm(c.Labels),
    Volumes: norm(c.Volumes),
    StopSignal: c.StopSignal ?? '',
    OnBuild: norm(c.OnBuild),
  };
}

/** `docker history` CREATED BY and SIZE>0 per row, with content checksums (builder-specific) masked. */
export async function historyRows(dockerHost: string, image: string): Promise<string[]> {
  const r = await docker(dockerHost, ['history', '--no-trunc', '--format', '{{.CreatedBy}}', image]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => l.replace(/(file|dir|multi):[0-9a-f]{64}/g, '$1:<sum>'));
}
