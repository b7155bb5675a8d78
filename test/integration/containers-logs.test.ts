/**
 * Log drivers through the docker CLI: json-file rotation with max-size/max-file (`docker logs`
 * reads across the rotated files, old ones dropped), `local` (rotated by default, readable),
 * `none` (nothing kept; `docker logs` refused as dockerd), and create-time refusals.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

describe.skipIf(!IS_ROOT)('log drivers', () => {
  let env: ContainersEnv;
  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const inspect = async (name: string, fmt: string): Promise<string> => (await env.d(['inspect', '-f', fmt, name])).stdout.trim();
  // 400 lines of ~110 bytes of JSON each: ~44 KB of log.
  const emit = "i=1; while [ $i -le 400 ]; do echo line-$i; i=$((i+1)); done";

  it('json-file with max-size/max-file rotates; logs reads across the kept files, oldest dropped', async () => {
    const run = await env.d(['run', '--name', 'rot', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=3', env.image, 'sh', '-c', emit]);
    expect(run.code, run.stderr).toBe(0);
    const logPath = await inspect('rot', '{{.LogPath}}');
    const dir = logPath.slice(0, logPath.lastIndexOf('/'));
    const base = logPath.slice(logPath.lastIndexOf('/') + 1);
    const files = (await readdir(dir)).filter((f) => f.startsWith(base)).sort();
    expect(files).toEqual([base, `${base}.1`, `${base}.2`]);
    for (const f of files) expect((await stat(`${dir}/${f}`)).size).toBeLessThan(10 * 1024 + 200);

    const lines = (await env.d(['logs', 'rot'])).stdout.trim().split('\n');
    // Fewer than written (the oldest file was dropped), in order, ending at the last line.
    expect(lines.length).toBeGreaterThan(150);
    expect(lines.length).toBeLessThan(400);
    expect(lines.at(-1)).toBe('line-400');
    const first = Number(lines[0]?.slice(5));
    expect(lines).toEqual(Array.from({ length: lines.length }, (_, i) => `line-${first + i}`));
    // tail counts across the files too.
    const tail = (await env.d(['logs', '--tail', '150', 'rot'])).stdout.trim().split('\n');
    expect(tail).toEqual(Array.from({ length: 150 }, (_, i) => `line-${251 + i}`));
    expect(JSON.parse(await inspect('rot', '{{json .HostConfig.LogConfig}}'))).toEqual({ Type: 'json-file', Config: { 'max-size': '10k', 'max-file': '3' } });
    await env.d(['rm', 'rot']);
  });

  it('follows a running container across rotations', async () => {
    const run = await env.d(['run', '-d', '--name', 'rotf', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=5', env.image, 'sh', '-c', `sleep 1; ${emit.replace('400', '60')}`]);
    expect(run.code, run.stderr).toBe(0);
    const follow = await env.d(['logs', '-f', 'rotf'], { timeoutMs: 20_000 });
    expect(follow.stdout.trim().split('\n')).toEqual(Array.from({ length: 60 }, (_, i) => `line-${i + 1}`));
    await env.d(['rm', 'rotf']);
  });

  it('json-file labels/env options put attrs on every line; logs --details shows them as dockerd', async () => {
    const run = await env.d(['run', '--name', 'attrs', '--label', 'app=web shop', '--label', 'other=x', '-e', 'MODE=prod', '-e', 'FOO_1=bar', '--log-opt', 'labels=app,missing', '--log-opt', 'env=MODE', '--log-opt', 'env-regex=^FOO', env.image, 'echo', 'hello']);
    expect(run.code, run.stderr).toBe(0);
    const raw = (await readFile(await inspect('attrs', '{{.LogPath}}'), 'utf8')).trim();
    expect(raw).toMatch(/^\{"log":"hello\\n","stream":"stdout","attrs":\{.*\},"time":"[^"]+"\}$/);
    expect(JSON.parse(raw).attrs).toEqual({ app: 'web shop', MODE: 'prod', FOO_1: 'bar' });
    expect((await env.d(['logs', '--details', 'attrs'])).stdout).toBe('FOO_1=bar,MODE=prod,app=web+shop hello\n');
    expect((await env.d(['logs', 'attrs'])).stdout).toBe('hello\n');
    // Without attrs, --details still puts dockerd's separating space.
    expect((await env.d(['run', '--name', 'noattrs', env.image, 'echo', 'plain'])).code).toBe(0);
    expect((await env.d(['logs', '--details', 'noattrs'])).stdout).toBe(' plain\n');
    await env.d(['rm', 'attrs', 'noattrs']);
  });

  it('local: readable, and bounded by its default rotation; LogPath empty as dockerd', async () => {
    const run = await env.d(['run', '--name', 'loc', '--log-driver', 'local', env.image, 'sh', '-c', 'echo to-local; echo err-local >&2']);
    expect(run.code, run.stderr).toBe(0);
    const logs = await env.d(['logs', 'loc']);
    expect(logs.stdout).toBe('to-local\n');
    expect(logs.stderr).toBe('err-local\n');
    expect(await inspect('loc', '{{.LogPath}}')).toBe('');
    const small = await env.d(['run', '--name', 'locs', '--log-driver', 'local', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=2', env.image, 'sh', '-c', emit]);
    expect(small.code).toBe(0);
    const lines = (await env.d(['logs', 'locs'])).stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('line-400');
    expect(lines.length).toBeLessThan(250);
    await env.d(['rm', 'loc', 'locs']);
  });

  it('none: the output still reaches an attached client, docker logs is refused as dockerd', async () => {
    const run = await env.d(['run', '--name', 'nolog', '--log-driver', 'none', env.image, 'echo', 'shown-attached']);
    expect(run.stdout).toBe('shown-attached\n');
    const logs = await env.d(['logs', 'nolog']);
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toContain('configured logging driver does not support reading');
    expect(await inspect('nolog', '{{.LogPath}}')).toBe('');
    await env.d(['rm', 'nolog']);
  });

  it("daemon.json's log-driver and log-opts are the defaults of new containers; info reports the driver", async () => {
    await writeFile(env.berthd.configFile, JSON.stringify({ 'log-driver': 'local', 'log-opts': { 'max-size': '10k', 'max-file': '2' } }));
    await env.berthd.stop();
    env.berthd = await env.berthd.restart();
    try {
      expect((await env.d(['info', '--format', '{{.LoggingDriver}}'])).stdout.trim()).toBe('local');
      expect((await env.d(['run', '--name', 'dflt', env.image, 'sh', '-c', emit])).code).toBe(0);
      expect(JSON.parse(await inspect('dflt', '{{json .HostConfig.LogConfig}}'))).toEqual({ Type: 'local', Config: { 'max-size': '10k', 'max-file': '2' } });
      const lines = (await env.d(['logs', 'dflt'])).stdout.trim().split('\n');
      expect(lines.at(-1)).toBe('line-400');
      expect(lines.length).toBeLessThan(250);
      // Another driver does not take the default driver's options (moby).
      expect((await env.d(['run', '--name', 'other', '--log-driver', 'json-file', env.image, 'true'])).code).toBe(0);
      expect(JSON.parse(await inspect('other', '{{json .HostConfig.LogConfig}}'))).toEqual({ Type: 'json-file', Config: {} });
      await env.d(['rm', 'dflt', 'other']);
    } finally {
      await writeFile(env.berthd.configFile, '{}');
      await env.berthd.stop();
      env.berthd = await env.berthd.restart();
    }
  });

  it('refuses unknown drivers, unknown options and bad values at create, creating nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--log-driver', 'carrier-pigeon'], /no log driver named 'carrier-pigeon'/],
      [['--log-driver', 'syslog'], /log driver "syslog" is not supported by berthd/],
      [['--log-opt', 'colour=red'], /unknown log opt 'colour' for json-file log driver/],
      [['--log-driver', 'none', '--log-opt', 'max-size=1m'], /invalid logging opts for driver none|unknown log opt 'max-size' for none log driver/],
      [['--log-opt', 'max-size=lots'], /invalid size: 'lots'/],
      [['--log-opt', 'max-size=1m', '--log-opt', 'max-file=0'], /max-file cannot be less than 1/],
      [['--log-opt', 'compress=true', '--log-opt', 'max-size=1m'], /log option 'compress' is not supported by berthd/],
      [['--log-opt', 'mode=non-blocking'], /log mode 'non-blocking' is not supported by berthd/],
      [['--log-opt', 'labels-regex=('], /invalid labels-regex/],
      [['--log-driver', 'local', '--log-opt', 'labels=a'], /unknown log opt 'labels' for local log driver/],
    ];
    for (const [opts, msg] of cases) {
      const r = await env.d(['create', '--name', 'badlog', ...opts, env.image, 'true']);
      expect(r.code, opts.join(' ')).not.toBe(0);
      expect(r.stderr, opts.join(' ')).toMatch(msg);
    }
    expect((await env.d(['ps', '-aq', '--filter', 'name=badlog'])).stdout).toBe('');
  });
});
