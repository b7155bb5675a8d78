/**
 * Bridge networking with the stock docker CLI against berthd, inside the netns sandbox
 * (test/harness/netns-sandbox.ts): the default bridge and user networks, their addresses, NAT to
 * "the outside", internal networks, isolation between networks, network create/ls/inspect/rm/
 * connect/disconnect, and a berthd killed with -9 that comes back without losing connectivity or
 * duplicating its rules. No packet leaves the sandbox's two namespaces.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { OUTSIDE_ADDR, SANDBOX_ADDR, startNetnsSandbox, type NetnsSandbox } from '../harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../harness/registry';

const execFileP = promisify(execFile);

interface NetworkJson {
  Id: string;
  Name: string;
  Driver: string;
  Internal: boolean;
  IPAM: { Config: { Subnet: string; Gateway: string; IPRange?: string }[] | null };
  Containers: Record<string, { Name: string; IPv4Address: string; MacAddress: string }>;
  Labels: Record<string, string>;
  Options: Record<string, string>;
}

describe.skipIf(!IS_ROOT)('bridge networking (docker CLI, netns sandbox)', () => {
  let seed: RegistryHandle;
  let sb: NetnsSandbox;
  let image: string;

  const ok = async (args: string[]): Promise<string> => {
    const r = await sb.d(args, { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout.trim();
  };
  const inspectNet = async (name: string): Promise<NetworkJson> => (JSON.parse(await ok(['network', 'inspect', name])) as NetworkJson[])[0]!;
  const ipOf = async (ctr: string, net: string): Promise<string> => ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, ctr]);
  const sandboxLinks = async (): Promise<string[]> =>
    (await sb.exec('sandbox', ['ip', '-o', 'link', 'show'])).stdout.split('\n').filter((l) => l !== '').map((l) => l.split(':')[1]?.trim().split('@')[0] ?? '');
  const nftTable = async (): Promise<string> => (await sb.exec('sandbox', ['nft', 'list', 'table', 'ip', 'berth'])).stdout;

  beforeAll(async () => {
    seed = await startRegistry();
    await pushImage(seed.url, 'busybox', 'latest', await busyboxImage());
    sb = await startNetnsSandbox({ registryStorage: seed.storageDir });
    image = `${sb.registry.host}/busybox:latest`;
    await ok(['pull', image]);
  }, 180_000);

  afterAll(async () => {
    await sb?.cleanup();
    await seed?.stop();
  }, 60_000);

  it('lists the predefined networks and gives the default bridge a subnet free on the host', async () => {
    const ls = await ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']);
    expect(ls.split('\n').sort()).toEqual(['bridge bridge', 'host host', 'none null']);
    const bridge = await inspectNet('bridge');
    expect(bridge.IPAM.Config?.[0]?.Subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(bridge.Options['com.docker.network.bridge.name']).toBe('berth0');
    const addr = (await sb.exec('sandbox', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'berth0'])).stdout;
    expect(addr).toContain(`${bridge.IPAM.Config![0]!.Gateway}/`);
    const info = JSON.parse((await execFileP('curl', ['-s', '--unix-socket', sb.berthd.dockerHost.replace(/^unix:\/\//, ''), 'http://berthd/info'])).stdout) as { BerthDefaultBridge?: unknown };
    expect(info.BerthDefaultBridge).toEqual({ Bridge: 'berth0', Subnet: bridge.IPAM.Config![0]!.Subnet, Gateway: bridge.IPAM.Config![0]!.Gateway });
    const rm = await sb.d(['network', 'rm', 'bridge']);
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toContain('pre-defined network');
  });

  it('gives a default-bridge container eth0, its address in /etc/hosts, and NAT to the outside', async () => {
    const server = sb.spawnIn('outside', ['busybox', 'nc', '-l', '-p', '7071', '-e', 'echo', 'seen']);
    const name = 'web1';
    await ok(['run', '-d', '--name', name, image, 'sleep', '300']);
    const ip = await ipOf(name, 'bridge');
    const bridge = await inspectNet('bridge');
    expect(bridge.Containers[(await ok(['inspect', '-f', '{{.Id}}', name]))]?.IPv4Address).toBe(`${ip}/${bridge.IPAM.Config![0]!.Subnet.split('/')[1]}`);
    const eth0 = await ok(['exec', name, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(eth0).toContain(`inet ${ip}/`);
    expect(await ok(['exec', name, 'cat', '/etc/hosts'])).toMatch(new RegExp(`${ip.replace(/\./g, '\\.')}\\s+[0-9a-f]{12}`));
    // The sandbox ("the host") reaches the container by its address.
    expect((await sb.exec('sandbox', ['busybox', 'ping', '-c', '1', '-W', '5', ip])).code).toBe(0);
    // The container reaches the outside namespace, which has no route to the bridge's subnet: only
    // masquerading to the sandbox's address makes the replies come back.
    expect((await sb.d(['exec', name, 'ping', '-c', '1', '-W', '5', OUTSIDE_ADDR])).code).toBe(0);
    let out = '';
    for (let i = 0; i < 50 && !out.includes('seen'); i++) {
      out = (await sb.d(['exec', name, 'nc', '-w', '3', OUTSIDE_ADDR, '7071'])).stdout;
      if (!out.includes('seen')) await new Promise((r) => setTimeout(r, 200));
    }
    server.kill();
    expect(out).toContain('seen');
    expect(await nftTable()).toContain(`ip saddr ${bridge.IPAM.Config![0]!.Subnet} oifname != "berth0" masquerade`);
  });

  it('connects two containers on a user network by IP, isolates them from other networks, and refuses rm while in use', async () => {
    const created = await ok(['network', 'create', '--subnet', '10.201.0.0/24', '--gateway', '10.201.0.254', '--ip-range', '10.201.0.128/25', '--label', 'team=berth', 'app']);
    expect(created).toMatch(/^[0-9a-f]{64}$/);
    await ok(['network', 'create', 'other']);
    const app = await inspectNet('app');
    expect(app.IPAM.Config).toEqual([{ Subnet: '10.201.0.0/24', Gateway: '10.201.0.254', IPRange: '10.201.0.128/25' }]);
    expect(app.Labels).toEqual({ team: 'berth' });
    expect(await sandboxLinks()).toContain(`br-${app.Id.slice(0, 12)}`);
    await ok(['run', '-d', '--name', 'a1', '--network', 'app', image, 'sleep', '300']);
    await ok(['run', '-d', '--name', 'a2', '--network', 'app', '--ip', '10.201.0.10', '--network-alias', 'db', image, 'sleep', '300']);
    await ok(['run', '-d', '--name', 'o1', '--network', 'other', image, 'sleep', '300']);
    const a1 = await ipOf('a1', 'app');
    expect(a1).toBe('10.201.0.129');
    expect(await ipOf('a2', 'app')).toBe('10.201.0.10');
    expect(await ok(['inspect', '-f', '{{json (index .NetworkSettings.Networks "app").Aliases}}', 'a2'])).toBe('["db"]');
    expect((await sb.d(['exec', 'a2', 'ping', '-c', '1', '-W', '3', a1])).code).toBe(0);
    const o1 = await ipOf('o1', 'other');
    expect((await sb.d(['exec', 'a2', 'ping', '-c', '1', '-W', '2', o1])).code).not.toBe(0);
    const inUse = await sb.d(['network', 'rm', 'app']);
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toContain('has active endpoints');
    expect(Object.values((await inspectNet('app')).Containers).map((c) => c.Name).sort()).toEqual(['a1', 'a2']);
  });

  it('connects and disconnects a running container live', async () => {
    await ok(['network', 'connect', '--alias', 'late', 'other', 'a1']);
    const links = await ok(['exec', 'a1', 'ip', '-o', 'link', 'show']);
    expect(links).toContain('eth1');
    const o1 = await ipOf('o1', 'other');
    expect((await sb.d(['exec', 'a1', 'ping', '-c', '1', '-W', '3', o1])).code).toBe(0);
    await ok(['network', 'disconnect', 'other', 'a1']);
    expect(await ok(['exec', 'a1', 'ip', '-o', 'link', 'show'])).not.toContain('eth1');
  });

  it('sets a MAC address from --mac-address and from an old client’s container-wide MacAddress (compose 1.29)', async () => {
    await ok(['run', '-d', '--name', 'mac1', '--mac-address', '02:42:ac:11:00:71', image, 'sleep', '300']);
    expect(await ok(['exec', 'mac1', 'cat', '/sys/class/net/eth0/address'])).toBe('02:42:ac:11:00:71');
    const sock = sb.berthd.dockerHost.replace(/^unix:\/\//, '');
    const post = async (path: string, body: unknown): Promise<{ Id?: string; message?: string; Warnings?: string[] }> =>
      JSON.parse((await execFileP('curl', ['-s', '--unix-socket', sock, '-H', 'Content-Type: application/json', '-d', JSON.stringify(body), `http://berthd${path}`])).stdout) as never;
    const old = await post('/v1.41/containers/create?name=mac2', { Image: image, Cmd: ['sleep', '300'], MacAddress: '02:42:ac:11:00:72', HostConfig: { NetworkMode: 'other' } });
    expect(old.Id, old.message).toBeTruthy();
    await ok(['start', 'mac2']);
    expect(await ok(['exec', 'mac2', 'cat', '/sys/class/net/eth0/address'])).toBe('02:42:ac:11:00:72');
    expect(await ok(['inspect', '-f', '{{.NetworkSettings.Networks.other.MacAddress}}', 'mac2'])).toBe('02:42:ac:11:00:72');
    const host = await post('/v1.41/containers/create?name=mac3', { Image: image, MacAddress: '02:42:ac:11:00:73', HostConfig: { NetworkMode: 'host' } });
    expect(host.message).toBe('conflicting options: mac-address and the network mode');
    await ok(['rm', '-f', 'mac1', 'mac2']);
  });

  it('keeps an internal network from reaching the outside', async () => {
    await ok(['network', 'create', '--internal', 'sealed']);
    await ok(['run', '-d', '--name', 'i1', '--network', 'sealed', image, 'sleep', '300']);
    expect(await ok(['exec', 'i1', 'ip', 'route'])).not.toContain('default');
    const r = await sb.d(['exec', 'i1', 'ping', '-c', '1', '-W', '2', SANDBOX_ADDR]);
    expect(r.code).not.toBe(0);
    expect(await nftTable()).toContain(`iifname "br-${(await inspectNet('sealed')).Id.slice(0, 12)}" oifname != `);
  });

  it('keeps connectivity and does not duplicate rules after kill -9 and a restart', async () => {
    const before = await nftTable();
    await sb.killAndRestart();
    expect(await nftTable()).toBe(before);
    const a1 = await ipOf('a1', 'app');
    expect((await sb.d(['exec', 'a2', 'ping', '-c', '1', '-W', '3', a1])).code).toBe(0);
    await ok(['run', '-d', '--name', 'a3', '--network', 'app', image, 'sleep', '300']);
    expect(await ipOf('a3', 'app')).not.toBe(a1);
  });

  it('leaves no veth, bridge or rule behind after rm -f and network rm', async () => {
    await ok(['rm', '-f', 'a1', 'a2', 'a3', 'o1', 'i1', 'web1']);
    expect((await sandboxLinks()).filter((l) => l.startsWith('veth'))).toEqual([]);
    const ids = await Promise.all(['app', 'other', 'sealed'].map(async (n) => (await inspectNet(n)).Id));
    const pruned = await ok(['network', 'prune', '-f']);
    for (const n of ['app', 'other', 'sealed']) expect(pruned).toContain(n);
    const links = await sandboxLinks();
    for (const id of ids) expect(links).not.toContain(`br-${id.slice(0, 12)}`);
    const table = await nftTable();
    for (const id of ids) expect(table).not.toContain(id.slice(0, 12));
  });

  it('answers swarm endpoints as a node outside any swarm', async () => {
    const r = await sb.d(['node', 'ls']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('This node is not a swarm manager');
  });
});
