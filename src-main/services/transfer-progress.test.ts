import { describe, expect, it } from 'vitest';
import { TransferAggregator } from './transfer-progress';

describe('pull progress aggregation', () => {
  it('folds a dockerd-style pull into per-layer phases, totals, digest', () => {
    const a = new TransferAggregator('busybox');
    const msgs = [
      { status: 'Pulling from library/busybox', id: 'latest' },
      { status: 'Pulling fs layer', id: 'aaa' },
      { status: 'Already exists', id: 'bbb' },
      { status: 'Waiting', id: 'aaa' },
      { status: 'Downloading', id: 'aaa', progressDetail: { current: 100, total: 1000 } },
    ];
    for (const m of msgs) a.apply(m);
    let s = a.snapshot();
    expect(s.state).toBe('running');
    expect(s.layers).toEqual([
      { id: 'aaa', status: 'Downloading', phase: 'downloading', current: 100, total: 1000 },
      { id: 'bbb', status: 'Already exists', phase: 'exists', current: 0, total: 0 },
    ]);
    expect(s).toMatchObject({ current: 100, total: 1000, messages: ['Pulling from library/busybox'] });
    a.apply({ status: 'Verifying Checksum', id: 'aaa' });
    a.apply({ status: 'Download complete', id: 'aaa' });
    a.apply({ status: 'Extracting', id: 'aaa', progressDetail: { current: 500, total: 3000 } });
    s = a.snapshot();
    expect(s.layers[0]).toMatchObject({ phase: 'extracting', current: 500, total: 3000 });
    expect(s.current).toBe(1000);
    a.apply({ status: 'Pull complete', id: 'aaa' });
    a.apply({ status: 'Digest: sha256:' + 'a'.repeat(64) });
    a.apply({ status: 'Status: Downloaded newer image for busybox:latest' });
    a.finish();
    s = a.snapshot();
    expect(s.state).toBe('done');
    expect(s.layers[0]?.phase).toBe('done');
    expect(s.digest).toBe('sha256:' + 'a'.repeat(64));
    expect(s.mirror).toBeNull();
  });

  it('extracts the mirror used from aux or status text, and mirror failures', () => {
    const a = new TransferAggregator('busybox');
    a.apply({ status: 'Mirror http://127.0.0.1:1 failed: connection refused, trying next endpoint' });
    a.apply({ status: 'Pulling from library/busybox via mirror http://127.0.0.1:5001', id: 'latest' });
    let s = a.snapshot();
    expect(s.mirror).toBe('http://127.0.0.1:5001');
    expect(s.mirrorFailures).toEqual([{ mirror: 'http://127.0.0.1:1', message: 'connection refused, trying next endpoint' }]);
    // berthd's wording (helper/src/engine/images/puller.ts): dead mirror first, then the live one.
    const c = new TransferAggregator('busybox');
    c.apply({ status: 'Pulling from mirror http://127.0.0.1:1' });
    c.apply({ status: 'Mirror http://127.0.0.1:1 skipped: connect ECONNREFUSED 127.0.0.1:1' });
    expect(c.snapshot().mirror).toBeNull();
    c.apply({ status: 'Pulling from mirror http://127.0.0.1:5001' });
    c.apply({ status: 'Pulling from library/busybox', id: 'latest' });
    expect(c.snapshot()).toMatchObject({ mirror: 'http://127.0.0.1:5001', mirrorFailures: [{ mirror: 'http://127.0.0.1:1', message: 'connect ECONNREFUSED 127.0.0.1:1' }] });
    const b = new TransferAggregator('x');
    b.apply({ aux: { BerthEndpoint: { url: 'http://m:5000', mirror: true } } });
    s = b.snapshot();
    expect(s.mirror).toBe('http://m:5000');
  });

  it('an in-band error makes the snapshot an error', () => {
    const a = new TransferAggregator('x');
    a.apply({ status: 'Pulling fs layer', id: 'aaa' });
    a.apply({ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' });
    a.finish();
    expect(a.failed).toBe('manifest unknown');
    expect(a.snapshot()).toMatchObject({ state: 'error', error: 'manifest unknown' });
  });

  it('push progress uses the same shape', () => {
    const a = new TransferAggregator('127.0.0.1:5000/x:v1');
    a.apply({ status: 'The push refers to repository [127.0.0.1:5000/x]' });
    a.apply({ status: 'Preparing', id: 'l1' });
    a.apply({ status: 'Pushing', id: 'l1', progressDetail: { current: 5, total: 10 } });
    a.apply({ status: 'Pushed', id: 'l1' });
    a.apply({ status: 'Layer already exists', id: 'l2' });
    a.apply({ status: 'v1: digest: sha256:' + 'b'.repeat(64) + ' size: 528' });
    a.finish();
    const s = a.snapshot();
    expect(s.layers.map((l) => l.phase)).toEqual(['done', 'exists']);
    expect(s.digest).toBe('sha256:' + 'b'.repeat(64));
    expect(s.current).toBe(10);
  });
});
