/**
 * `DOCKER_BUILDKIT=0 docker build` against berthd through the stock CLI: the step stream, the cache,
 * context rules (.dockerignore, symlinks, compressed contexts, Dockerfile on stdin), failures, and
 * the build cache in `system df` / `builder prune`.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';
import { classicBuild, makeContext } from './build-env';

const execFileP = promisify(execFile);

describe.skipIf(!IS_ROOT)('build: classic builder through the docker CLI', () => {
  let env: ContainersEnv;
  const dirs: string[] = [];
  const build = (args: string[], opts?: { input?: string | Buffer }) =>
    opts?.input !== undefined
      ? import('../harness/docker-cli').then(({ docker }) => docker(env.berthd.dockerHost, ['build', '--network', 'none', ...args], { env: { DOCKER_BUILDKIT: '0' }, input: opts.input, timeoutMs: 300_000 }))
      : classicBuild(env.berthd.dockerHost, ['--network', 'none', ...args]);
  const ctx = async (files: Record<string, string>): Promise<string> => {
    const d = await makeContext(files);
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    env = await startContainersEnv();
  }, 300_000);
  afterAll(async () => {
    await env?.cleanup();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('builds, streams the steps, runs; a rebuild is all cache; a changed file rebuilds from its step on', async () => {
    const dir = await ctx({
      Dockerfile: [
        `FROM ${env.image} AS build`,
        'RUN mkdir /out && echo built > /out/result',
        `FROM ${env.image}`,
        'COPY --from=build /out/result /app/result',
        'COPY first.txt /app/',
        'COPY second.txt /app/',
        'RUN cat /app/first.txt /app/second.txt > /app/both',
        'CMD ["cat", "/app/both", "/app/result"]',
        '',
      ].join('\n'),
      'first.txt': 'one\n',
      'second.txt': 'two\n',
    });
    const first = await build(['-t', 'cache:test', dir]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('Step 1/8 : FROM');
    expect(first.stdout).toMatch(/Step 2\/8 : RUN mkdir \/out && echo built > \/out\/result\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    expect(first.stdout).toMatch(/Successfully built [0-9a-f]{12}\nSuccessfully tagged cache:test\n/);
    expect((await env.d(['run', '--rm', '--network', 'none', 'cache:test'])).stdout).toBe('one\ntwo\nbuilt\n');

    const again = await build(['-t', 'cache:test', dir]);
    expect(again.code).toBe(0);
    // Every step after a FROM is a cache hit, and the result is the same image.
    expect(again.stdout.match(/ ---> Using cache/g)).toHaveLength(6);
    const id = (s: string): string => /Successfully built ([0-9a-f]{12})/.exec(s)?.[1] ?? '';
    expect(id(again.stdout)).toBe(id(first.stdout));

    await writeFile(join(dir, 'second.txt'), 'TWO\n');
    const third = await build(['-t', 'cache:test', dir]);
    expect(third.code).toBe(0);
    const steps = third.stdout.split(/Step \d+\/8 : /).slice(1);
    const cached = steps.map((s) => s.includes('Using cache'));
    // FROM, RUN (cache), FROM, COPY --from (cache), COPY first (cache), COPY second (new), RUN (new), CMD (new).
    expect(cached).toEqual([false, true, false, true, true, false, false, false]);
    expect((await env.d(['run', '--rm', '--network', 'none', 'cache:test'])).stdout).toBe('one\nTWO\nbuilt\n');
    // The intermediate images are hidden from `docker images` but listed with -a; history shows step IDs.
    const images = (await env.d(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout;
    expect(images.split('\n').filter((l) => l === '<none>:<none>').length).toBeLessThan((await env.d(['images', '-a', '-q'])).stdout.trim().split('\n').length);
    const hist = (await env.d(['history', '--format', '{{.ID}}', 'cache:test'])).stdout.trim().split('\n');
    expect(hist[1]).toMatch(/^[0-9a-f]{12}$/);
  }, 300_000);

  it('.dockerignore and Dockerfile.dockerignore exclude what Docker excludes', async () => {
    const dir = await ctx({
      Dockerfile: `FROM ${env.image}\nCOPY . /ctx/\nCMD ["find", "/ctx", "-type", "f"]\n`,
      '.dockerignore': ['# comment', '*.log', '!keep.log', 'secrets', 'docs/**/*.md', '!docs/keep/**'].join('\n'),
      'app.txt': 'a',
      'debug.log': 'x',
      'keep.log': 'k',
      'secrets/token': 't',
      'docs/a/b/readme.md': 'r',
      'docs/a/b/image.png': 'p',
      'docs/keep/x.md': 'kept',
      'sub/debug.log': 'nested logs are not matched by *.log',
    });
    expect((await build(['-t', 'ignore:test', dir])).code).toBe(0);
    const files = (await env.d(['run', '--rm', '--network', 'none', 'ignore:test'])).stdout.trim().split('\n').sort();
    expect(files).toEqual(['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/app.txt', '/ctx/docs/a/b/image.png', '/ctx/docs/keep/x.md', '/ctx/keep.log', '/ctx/sub/debug.log']);

    // A <Dockerfile>.dockerignore beside a Dockerfile named with -f wins over .dockerignore.
    await writeFile(join(dir, 'alt.Dockerfile'), `FROM ${env.image}\nCOPY . /ctx/\nCMD ["find", "/ctx", "-name", "*.txt"]\n`);
    await writeFile(join(dir, 'alt.Dockerfile.dockerignore'), 'app.txt\n');
    expect((await build(['-f', join(dir, 'alt.Dockerfile'), '-t', 'ignore:alt', dir])).code).toBe(0);
    expect((await env.d(['run', '--rm', '--network', 'none', 'ignore:alt'])).stdout.trim()).toBe('');
  }, 300_000);

  it('a context symlink pointing outside is refused; one inside is followed', async () => {
    const dir = await ctx({ Dockerfile: `FROM ${env.image}\nCOPY evil /x\n`, 'real.txt': 'inside\n' });
    await symlink('/etc/shadow', join(dir, 'evil'));
    const bad = await build(['-t', 'sym:bad', dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('forbidden path outside the build context: evil');
    const rel = await ctx({ Dockerfile: `FROM ${env.image}\nCOPY up /x\n` });
    await symlink('../../etc/passwd', join(rel, 'up'));
    const bad2 = await build(['-t', 'sym:bad2', rel]);
    expect(bad2.code).not.toBe(0);
    expect(bad2.stderr).toContain('forbidden path outside the build context');
    expect((await env.d(['images', '-q', 'sym:bad'])).stdout).toBe('');

    const ok = await ctx({ Dockerfile: `FROM ${env.image}\nCOPY link /x\nCMD ["cat", "/x"]\n`, 'real.txt': 'inside\n' });
    await symlink('real.txt', join(ok, 'link'));
    expect((await build(['-t', 'sym:ok', ok])).code).toBe(0);
    expect((await env.d(['run', '--rm', '--network', 'none', 'sym:ok'])).stdout).toBe('inside\n');
  }, 300_000);

  it('a failing RUN reports its exit code (the CLI exits with it) and leaves no container behind', async () => {
    const before = (await env.d(['ps', '-aq'])).stdout;
    const dir = await ctx({ Dockerfile: `FROM ${env.image}\nENV A=1\nRUN echo out; echo err >&2; exit 3\n` });
    const r = await build(['-t', 'fail:test', dir]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('out\n');
    expect(r.stdout).toContain('\x1b[91merr\n\x1b[0m');
    expect(r.stderr).toContain("The command '/bin/sh -c echo out; echo err >&2; exit 3' returned a non-zero code: 3");
    expect((await env.d(['ps', '-aq'])).stdout).toBe(before);
    expect((await env.d(['images', '-q', 'fail:test'])).stdout).toBe('');
  }, 300_000);

  it('parse errors and bad options are clear errors before any step', async () => {
    const dir = await ctx({ Dockerfile: `FROM ${env.image}\nFROBNICATE x\n` });
    const r = await build([dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dockerfile parse error line 2: unknown instruction: FROBNICATE');
    const plat = await build(['--platform', 'linux/s390x', dir]);
    expect(plat.stderr).toContain('platform linux/s390x is not supported');
    const tag = await build(['-t', 'Bad:Tag:x', dir]);
    expect(tag.code).not.toBe(0);
  }, 120_000);

  it('--iidfile, -q, a Dockerfile on stdin, and gzip/bzip2/xz contexts', async () => {
    const dir = await ctx({ Dockerfile: `FROM ${env.image}\nCOPY hello.txt /\nCMD ["cat", "/hello.txt"]\n`, 'hello.txt': 'hi\n' });
    const iid = join(dir, '..', `iid-${Date.now()}`);
    dirs.push(iid);
    const r = await build(['--iidfile', iid, dir]);
    expect(r.code).toBe(0);
    const id = (await readFile(iid, 'utf8')).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const q = await build(['-q', dir]);
    expect(q.stdout.trim()).toBe(id);

    const stdin = await build(['-t', 'stdin:test', '-'], { input: `FROM ${env.image}\nENV FROM_STDIN=yes\n` });
    expect(stdin.code, stdin.stderr).toBe(0);
    expect((await env.d(['run', '--rm', '--network', 'none', 'stdin:test', 'sh', '-c', 'echo $FROM_STDIN'])).stdout).toBe('yes\n');

    for (const [tool, flag] of [
      ['gzip', '-z'],
      ['bzip2', '-j'],
      ['xz', '-J'],
    ] as const) {
      const tarball = join(dir, '..', `ctx-${tool}-${Date.now()}.tar`);
      dirs.push(tarball);
      await execFileP('tar', ['-c', flag, '-f', tarball, '-C', dir, 'Dockerfile', 'hello.txt']);
      const res = await build(['-t', `compressed:${tool}`, '-'], { input: await readFile(tarball) });
      expect(res.code, `${tool}: ${res.stderr}`).toBe(0);
      expect((await env.d(['run', '--rm', '--network', 'none', `compressed:${tool}`])).stdout).toBe('hi\n');
    }
  }, 300_000);

  it('system df shows the build cache; builder prune empties it and a rebuild is cold', async () => {
    const dir = await ctx({ Dockerfile: `FROM ${env.image}\nRUN echo cached > /c\n` });
    expect((await build(['-t', 'prune:test', dir])).code).toBe(0);
    const df = await env.d(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']);
    const row = df.stdout.split('\n').find((l) => l.startsWith('Build Cache'));
    expect(Number(row?.split(' ').at(-1))).toBeGreaterThan(0);
    const pruned = await env.d(['builder', 'prune', '-f'], { env: { DOCKER_BUILDKIT: '0' } });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('Total reclaimed space');
    const df2 = await env.d(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}']);
    expect(df2.stdout).toContain('Build Cache 0');
    const again = await build(['-t', 'prune:test', dir]);
    expect(again.stdout).not.toContain('Using cache');
    // The tagged result survived the prune.
    expect((await env.d(['run', '--rm', '--network', 'none', 'prune:test', 'cat', '/c'])).stdout).toBe('cached\n');
  }, 300_000);
});
