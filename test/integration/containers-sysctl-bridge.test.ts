/**
 * `--sysctl` of the container's own interface on the default bridge (netns sandbox, see
 * test/harness/netns-sandbox.ts): written once eth0 is in the container, before its process runs,
 * as runc does, so an interface's sysctl works like a namespace-wide one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startNetnsSandbox, type NetnsSandbox } from '../harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../harness/registry';

describe.skipIf(!IS_ROOT)('--sysctl on the default bridge (docker CLI, netns sandbox)', () => {
  let seed: RegistryHandle;
  let sb: NetnsSandbox;
  let image: string;

  beforeAll(async () => {
    seed = await startRegistry();
    await pushImage(seed.url, 'busybox', 'latest', await busyboxImage());
    sb = await startNetnsSandbox({ registryStorage: seed.storageDir });
    image = `${sb.registry.host}/busybox:latest`;
    const pulled = await sb.d(['pull', image], { timeoutMs: 120_000 });
    expect(pulled.code, pulled.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await sb?.cleanup();
    await seed?.stop();
  }, 60_000);

  it('sets a sysctl of eth0 before the process starts', async () => {
    const run = await sb.d(['run', '--rm', '--sysctl', 'net.ipv4.conf.eth0.rp_filter=2', '--sysctl', 'net.ipv4.conf.eth0.arp_ignore=1', image, 'cat', '/proc/sys/net/ipv4/conf/eth0/rp_filter', '/proc/sys/net/ipv4/conf/eth0/arp_ignore']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['2', '1']);
  });
});
