import { describe, expect, it } from 'vitest';
import type { ImageDetailView } from '../../../../../src-shared/ipc/models/images';
import { cleanCreatedBy, imagePruneDetail, toImagesSummary, toImageDetailPage, toImageRowViews, toLayerRows, toShellFormFlag } from './image-mapper';
import { parseTagTarget } from './tag-target';
import { toTransferView } from '../../../lib/transfer-mapper';

const NOW = 1_700_000_000_000;

describe('image rows', () => {
  it('makes one row per tag and one for a dangling image', () => {
    const rows = toImageRowViews(
      [
        { id: `sha256:${'a'.repeat(64)}`, shortId: 'aaaaaaaaaaaa', repoTags: ['busybox:latest', 'busybox:1'], repoDigests: [], size: 4_261_000, sharedSize: 4_000_000, uniqueSize: 261_000, created: NOW - 7_200_000, containers: 2, dangling: false },
        { id: `sha256:${'b'.repeat(64)}`, shortId: 'bbbbbbbbbbbb', repoTags: [], repoDigests: [], size: 10, sharedSize: null, uniqueSize: null, created: NOW, containers: -1, dangling: true },
      ],
      NOW,
    );
    expect(rows.map((r) => r.repoTag)).toEqual(['<none>:<none>', 'busybox:latest', 'busybox:1']);
    expect(rows[0]).toMatchObject({ ref: `sha256:${'b'.repeat(64)}`, sharedSize: '—', containers: '—' });
    expect(rows[1]).toMatchObject({ ref: 'busybox:latest', size: '4.26 MB', sharedSize: '4.00 MB', uniqueSize: '261 kB', created: '2 hours ago', containers: '2' });
  });
});

describe('shell-form flag of a list row', () => {
  const config = (cmd: string[] | null, entrypoint: string[] | null = null) => ({ config: { cmd, entrypoint, env: [], workingDir: '', user: '', labels: {}, exposedPorts: [] } });

  it('flags a shell-form CMD or ENTRYPOINT with why and the fix', () => {
    const flag = toShellFormFlag(config(['/bin/sh', '-c', 'sleep 1000']));
    expect(flag?.label).toBe('shell-form CMD');
    expect(flag?.title).toMatch(/^Shell-form CMD: \/bin\/sh runs as PID 1\. /);
    expect(flag?.title).toMatch(/SIGTERM/);
    expect(flag?.title).toMatch(/Fix: Run it with --init.*CMD \["sleep","1000"\].*only if the program installs its own SIGTERM handler/);
    expect(toShellFormFlag(config(null, ['/bin/bash', '-c', 'run.sh; wait']))?.label).toBe('shell-form ENTRYPOINT');
  });

  it('does not flag exec form, `sh -c exec …`, a shell CMD under an exec-form ENTRYPOINT, or an image not inspected yet', () => {
    expect(toShellFormFlag(config(['sleep', '1000']))).toBeNull();
    expect(toShellFormFlag(config(['/bin/sh', '-c', 'exec sleep 1000']))).toBeNull();
    expect(toShellFormFlag(config(['/bin/sh', '-c', 'sleep 1000'], ['/sbin/tini', '--']))).toBeNull();
    expect(toShellFormFlag(undefined)).toBeNull();
  });
});

describe('image details', () => {
  const detail = (cmd: string[]): ImageDetailView => ({
    id: `sha256:${'a'.repeat(64)}`,
    repoTags: ['shell:latest'],
    repoDigests: [],
    created: NOW,
    size: 1,
    architecture: 'amd64',
    os: 'linux',
    config: { cmd, entrypoint: null, env: ['PATH=/bin'], workingDir: '', user: '', labels: {}, exposedPorts: [] },
    layers: [],
    pid1Warning: null,
    raw: {},
  });

  it('flags a shell-form CMD with the PID 1 explanation', () => {
    const page = toImageDetailPage(detail(['/bin/sh', '-c', 'sleep 1000']));
    expect(page.pid1Warning?.why).toMatch(/whole timeout/);
    expect(page.pid1Warning?.fix).toMatch(/--init/);
    expect(toImageDetailPage(detail(['sh'])).pid1Warning).toBeNull();
  });

  it('cleans builder prefixes from history', () => {
    expect(cleanCreatedBy('/bin/sh -c #(nop)  CMD ["sh"]')).toBe('CMD ["sh"]');
    expect(cleanCreatedBy('/bin/sh -c echo a > /etc/variant')).toBe('RUN echo a > /etc/variant');
  });

  it('says which images share a layer', () => {
    const rows = toLayerRows({ source: 'berth', layers: [{ diffId: `sha256:${'c'.repeat(64)}`, size: 2_000_000, createdBy: null, sharedWith: ['b:latest'] }, { diffId: `sha256:${'d'.repeat(64)}`, size: null, createdBy: '/bin/sh -c echo a', sharedWith: [] }] });
    expect(rows[0]).toMatchObject({ index: 1, diffId: 'cccccccccccc', size: '2.00 MB', shared: true, sharedWith: 'shared with b:latest' });
    expect(rows[1]).toMatchObject({ size: '—', sharedWith: 'only this image', createdBy: 'RUN echo a' });
  });
});

describe('transfer progress', () => {
  it('computes per-layer and overall fractions and names the mirror', () => {
    const v = toTransferView({
      ref: 'busybox',
      state: 'running',
      layers: [
        { id: 'aaa', status: 'Downloading', phase: 'downloading', current: 50, total: 200 },
        { id: 'bbb', status: 'Pull complete', phase: 'done', current: 0, total: 0 },
        { id: 'ccc', status: 'Waiting', phase: 'waiting', current: 0, total: 0 },
      ],
      current: 50,
      total: 200,
      messages: ['Pulling from library/busybox'],
      mirror: 'http://127.0.0.1:5001',
      mirrorFailures: [{ mirror: 'http://127.0.0.1:1', message: 'connection refused' }],
      digest: null,
      error: null,
    });
    expect(v.layers.map((l) => l.fraction)).toEqual([0.25, 1, null]);
    expect(v.overall).toBe(0.25);
    expect(v.servedBy).toBe('Served by http://127.0.0.1:5001');
    expect(v.failures).toEqual(['http://127.0.0.1:1 failed: connection refused']);
  });

  it('an unfinished layer of a cancelled or failed transfer no longer says Downloading', () => {
    const p = {
      ref: 'busybox',
      state: 'running' as const,
      layers: [
        { id: 'aaa', status: 'Downloading', phase: 'downloading' as const, current: 50, total: 200 },
        { id: 'bbb', status: 'Pull complete', phase: 'done' as const, current: 0, total: 0 },
      ],
      current: 50,
      total: 200,
      messages: [],
      mirror: null,
      mirrorFailures: [],
      digest: null,
      error: null,
    };
    expect(toTransferView(p, 'cancelled').layers.map((l) => [l.status, l.detail])).toEqual([
      ['Cancelled', '50 B / 200 B'],
      ['Pull complete', ''],
    ]);
    expect(toTransferView(p, 'failed').layers.map((l) => l.status)).toEqual(['Stopped', 'Pull complete']);
    expect(toTransferView(p, 'running').layers.map((l) => l.status)).toEqual(['Downloading', 'Pull complete']);
  });
});

describe('tag target', () => {
  it('splits repo and tag with registry hosts and ports', () => {
    expect(parseTagTarget('127.0.0.1:5000/busybox:v1')).toEqual({ ok: true, repo: '127.0.0.1:5000/busybox', tag: 'v1' });
    expect(parseTagTarget('localhost:5000/a/b')).toEqual({ ok: true, repo: 'localhost:5000/a/b', tag: 'latest' });
    expect(parseTagTarget('Busybox')).toMatchObject({ ok: false });
    expect(parseTagTarget('a:b@sha256:x')).toMatchObject({ ok: false });
  });
});

describe('images header and prune report', () => {
  it('takes the on-disk figure from system df', () => {
    const z = { total: 0, active: 0, size: 0, reclaimable: 0 };
    const img = { id: 'sha256:a', shortId: 'a', repoTags: ['a:1'], repoDigests: [], size: 100, sharedSize: 90, uniqueSize: 10, created: 0, containers: 0, dangling: false };
    expect(toImagesSummary([img], undefined)).toBe('1 image');
    expect(toImagesSummary([img, { ...img, id: 'sha256:b' }], { images: { total: 2, active: 0, size: 110_000, reclaimable: 110_000 }, containers: z, volumes: z, buildCache: z })).toBe(
      '2 images, 110 kB on disk (110 kB reclaimable)',
    );
  });

  it('names the layers and untagged references a prune removed besides images', () => {
    expect(imagePruneDetail({ deleted: ['a'], untagged: ['a:1', 'b:1'], layersDeleted: 1, spaceReclaimed: 0 })).toBe('2 references untagged, 1 layer deleted');
    expect(imagePruneDetail({ deleted: [], spaceReclaimed: 0 })).toBeNull();
  });
});
