/**
 * The same Dockerfiles built by berthd and by a private dockerd 20.10 (classic builder), through the
 * stock CLI with DOCKER_BUILDKIT=0: image configs, layer contents and history rows must agree.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { startDockerd, type PrivateDockerd } from '../harness/dockerd';
import { startContainersEnv, type ContainersEnv } from './containers-env';
import { classicBuild, comparedConfig, historyRows, layerContents, makeContext } from './build-env';

function multiStage(image: string): Record<string, string> {
  return {
    Dockerfile: [
      `FROM ${image} AS build`,
      'ARG VERSION=1.0',
      'RUN mkdir -p /out/bin /out/share \\',
      ' && echo "version $VERSION" > /out/share/version.txt \\',
      ' && printf "#!/bin/sh\\necho tool\\n" > /out/bin/tool && chmod 755 /out/bin/tool \\',
      ' && ln -s ../share/version.txt /out/bin/version',
      'RUN rm /etc/group && echo extra >> /etc/passwd',
      '',
      `FROM ${image}`,
      'LABEL org.opencontainers.image.title="demo" maintainer="ann@example.com"',
      'COPY --from=build /out /opt/app',
      'COPY --chown=1000:1000 config/ /etc/demo/',
      'COPY *.txt /srv/',
      'WORKDIR /srv/work',
      'ENV APP_HOME=/opt/app APP_MODE="production mode" PATH=/opt/app/bin:$PATH',
      'EXPOSE 8080 9090/udp',
      'VOLUME /data',
      'USER 1000:1000',
      'HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD ["/opt/app/bin/tool"]',
      'STOPSIGNAL SIGINT',
      'ENTRYPOINT ["/opt/app/bin/tool"]',
      'CMD ["--help"]',
      '',
    ].join('\n'),
    'config/app.ini': '[app]\nmode=prod\n',
    'config/sub/extra.ini': 'x=1\n',
    'a.txt': 'A\n',
    'b.txt': 'B\n',
    'notes.md': 'not copied\n',
  };
}

describe.skipIf(!IS_ROOT)('build: berthd and dockerd agree', () => {
  let env: ContainersEnv;
  let dockerd: PrivateDockerd;
  const dirs: string[] = [];
  beforeAll(async () => {
    env = await startContainersEnv();
    dockerd = await startDockerd();
    const pulled = await docker(dockerd.dockerHost, ['pull', env.image], { timeoutMs: 120_000 });
    if (pulled.code !== 0) throw new Error(`dockerd pull: ${pulled.stderr}`);
  }, 300_000);
  afterAll(async () => {
    await dockerd?.stop();
    await env?.cleanup();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function both(files: Record<string, string>, args: string[]): Promise<void> {
    const ctx = await makeContext(files);
    dirs.push(ctx);
    const b = await classicBuild(env.berthd.dockerHost, ['--network', 'none', ...args, ctx]);
    expect(b.code, `berthd: ${b.stdout}\n${b.stderr}`).toBe(0);
    const d = await classicBuild(dockerd.dockerHost, ['--network', 'none', ...args, ctx]);
    expect(d.code, `dockerd: ${d.stdout}\n${d.stderr}`).toBe(0);
  }

  it('multi-stage: configs, layer contents and history rows are equal', async () => {
    await both(multiStage(env.image), ['-t', 'cmp:multi']);
    const [bc, dc] = await Promise.all([comparedConfig(env.berthd.dockerHost, 'cmp:multi'), comparedConfig(dockerd.dockerHost, 'cmp:multi')]);
    expect(bc).toEqual(dc);
    const [bl, dl] = await Promise.all([layerContents(env.berthd.dockerHost, 'cmp:multi'), layerContents(dockerd.dockerHost, 'cmp:multi')]);
    expect(bl).toEqual(dl);
    const [bh, dh] = await Promise.all([historyRows(env.berthd.dockerHost, 'cmp:multi'), historyRows(dockerd.dockerHost, 'cmp:multi')]);
    expect(bh).toEqual(dh);
    // It runs: the entrypoint from the build stage, as user 1000 in the WORKDIR.
    const run = await env.d(['run', '--rm', '--network', 'none', 'cmp:multi']);
    expect(run.stdout).toBe('tool\n');
    const who = await env.d(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', 'cmp:multi', '-c', 'id -u; pwd; cat /opt/app/bin/version']);
    expect(who.stdout).toBe('1000\n/srv/work\nversion 1.0\n');
  }, 600_000);

  it('ARG and --build-arg, meta args in FROM, and --target pick the same values and stages', async () => {
    const files = {
      Dockerfile: [
        `ARG BASE=${env.image}`,
        'FROM $BASE AS first',
        'ARG WHO=world',
        'ARG UNSET',
        'ENV GREETING="hello ${WHO}" FALLBACK=${UNSET:-none} PLUS=${WHO:+set}',
        'RUN echo "$GREETING $FALLBACK $PLUS" > /greeting',
        '',
        'FROM first AS second',
        'ARG BASE',
        'LABEL base=$BASE',
        'RUN echo second > /second',
        '',
        'FROM second',
        'RUN echo third > /third',
        '',
      ].join('\n'),
    };
    await both(files, ['--build-arg', 'WHO=berth', '--target', 'second', '-t', 'cmp:args']);
    const [bc, dc] = await Promise.all([comparedConfig(env.berthd.dockerHost, 'cmp:args'), comparedConfig(dockerd.dockerHost, 'cmp:args')]);
    expect(bc).toEqual(dc);
    expect(bc.Env).toContain('GREETING=hello berth');
    const [bl, dl] = await Promise.all([layerContents(env.berthd.dockerHost, 'cmp:args'), layerContents(dockerd.dockerHost, 'cmp:args')]);
    expect(bl).toEqual(dl);
    const [bh, dh] = await Promise.all([historyRows(env.berthd.dockerHost, 'cmp:args'), historyRows(dockerd.dockerHost, 'cmp:args')]);
    expect(bh).toEqual(dh);
    const out = await env.d(['run', '--rm', '--network', 'none', 'cmp:args', 'sh', '-c', 'cat /greeting /second; test -e /third && echo third || echo no-third']);
    expect(out.stdout).toBe('hello berth none set\nsecond\nno-third\n');
  }, 600_000);
});
