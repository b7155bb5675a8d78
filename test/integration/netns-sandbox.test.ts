/**
 * Proves the networking sandbox every networking suite relies on: berthd runs in its own network
 * namespace (not the test's), pulls from a registry on that namespace's loopback, the "outside"
 * namespace reaches a server in the sandbox over the veth link, the host's namespace gains no
 * interface, and cleanup deletes both namespaces.
 */
import { readlink } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { OUTSIDE_ADDR, SANDBOX_ADDR, startNetnsSandbox, type NetnsSandbox } from '../harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../harness/registry';

const execFileP = promisify(execFile);

async function hostLinks(): Promise<string[]> {
  const { stdout } = await execFileP('ip', ['-o', 'link', 'show']);
  return stdout.split('\n').filter((l) => l !== '').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '');
}

describe.skipIf(!IS_ROOT)('netns sandbox harness', () => {
  let seed: RegistryHandle;
  let sb: NetnsSandbox;
  let linksBefore: string[];

  beforeAll(async () => {
    linksBefore = await hostLinks();
    seed = await startRegistry();
    await pushImage(seed.url, 'busybox', 'latest', await busyboxImage());
    sb = await startNetnsSandbox({ registryStorage: seed.storageDir, berthd: { bridge: 'none' } });
  }, 120_000);

  afterAll(async () => {
    const names = [sb?.netns, sb?.outsideNetns];
    await sb?.cleanup();
    await seed?.stop();
    const { stdout } = await execFileP('ip', ['netns', 'list']);
    for (const n of names) if (n !== undefined) expect(stdout).not.toContain(n);
  }, 60_000);

  it('runs berthd in another network namespace than the test', async () => {
    const mine = await readlink('/proc/self/ns/net');
    const berthd = await readlink(`/proc/${sb.berthd.process.pid}/ns/net`);
    expect(berthd).not.toBe(mine);
    expect(await hostLinks()).toEqual(linksBefore);
  });

  it('pulls from the registry on the sandbox loopback and runs a container', async () => {
    const image = `${sb.registry.host}/busybox:latest`;
    const pulled = await sb.d(['pull', image], { timeoutMs: 120_000 });
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    const r = await sb.d(['run', '--rm', image, 'echo', 'inside']);
    expect(r.stdout).toBe('inside\n');
  });

  it('joins the sandbox and the outside namespace by a veth link', async () => {
    const server = sb.spawnIn('sandbox', ['busybox', 'nc', '-l', '-p', '7070', '-e', 'echo', 'hello-from-sandbox']);
    let out = '';
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !out.includes('hello-from-sandbox')) {
      out = (await sb.exec('outside', ['busybox', 'nc', '-w', '2', SANDBOX_ADDR, '7070'])).stdout;
      if (!out.includes('hello')) await new Promise((r) => setTimeout(r, 100));
    }
    server.kill();
    expect(out).toContain('hello-from-sandbox');
    const ping = await sb.exec('sandbox', ['busybox', 'ping', '-c', '1', '-W', '2', OUTSIDE_ADDR]);
    expect(ping.code).toBe(0);
  });
});
