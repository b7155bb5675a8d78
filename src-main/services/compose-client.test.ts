import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findComposeClient, type SpawnFn } from './compose-client';

// Real processes, on a PATH holding only the stand-in clients this test writes (their `echo` and `[` are sh builtins).
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
async function pathWith(scripts: Record<string, string>): Promise<SpawnFn> {
  const d = await mkdtemp(join(tmpdir(), 'berth-compose-client-'));
  dir = d;
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(join(d, name), `#!/bin/sh\n${body}\n`);
    await chmod(join(d, name), 0o755);
  }
  return ((cmd: string, args: string[], opts: object) => spawn(cmd, args, { ...opts, env: { PATH: d } })) as unknown as SpawnFn;
}

describe('finding the compose client', () => {
  it('prefers docker compose v2 when `docker compose version` works', async () => {
    const s = await pathWith({ docker: '[ "$1 $2 $3" = "compose version --short" ] && echo v2.24.5 && exit 0; exit 1', 'docker-compose': 'echo 1.29.2' });
    expect(await findComposeClient(s)).toEqual({ command: 'docker', prefix: ['compose'], plain: ['--ansi', 'never', '--progress', 'plain'], label: 'docker compose 2.24.5' });
  });

  it('falls back to docker-compose v1 when the docker CLI has no compose plugin', async () => {
    const s = await pathWith({ docker: 'echo "docker: unknown command: docker compose" >&2; exit 1', 'docker-compose': '[ "$1 $2" = "version --short" ] && echo 1.29.2' });
    expect(await findComposeClient(s)).toEqual({ command: 'docker-compose', prefix: [], plain: ['--ansi', 'never'], label: 'docker-compose 1.29.2' });
  });

  it('finds nothing when neither is installed', async () => {
    expect(await findComposeClient(await pathWith({}))).toBeUndefined();
  });
});
