/**
 * Container name resolution with the stock docker CLI against berthd, inside the netns sandbox:
 * the embedded DNS on user networks (names, aliases, short IDs; not across networks; nothing on the
 * default bridge), other names forwarded to a container's --dns server (a fake one in the "outside"
 * namespace), --dns-search/--dns-option, --add-host host-gateway, and a berthd kill -9 after which
 * names still resolve. No packet leaves the sandbox's two namespaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { OUTSIDE_ADDR, startNetnsSandbox, type NetnsSandbox } from '../harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { REPO_ROOT } from '../harness/berthd';

/** A one-name DNS server (outside.test -> 192.0.2.80) for the outside namespace, on port 53. */
const FAKE_DNS = `
const dgram = require('dgram'); const p = require(${JSON.stringify(`${REPO_ROOT}/node_modules/dns-packet`)});
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => { const q = p.decode(m); const name = q.questions[0].name;
  const answers = name === 'outside.test' && q.questions[0].type === 'A' ? [{ type: 'A', name, ttl: 60, data: '192.0.2.80' }] : [];
  s.send(p.encode({ type: 'response', id: q.id, flags: p.RECURSION_AVAILABLE | (answers.length ? 0 : 3), questions: q.questions, answers }), r.port, r.address); });
s.bind(53, '${OUTSIDE_ADDR}');`;

describe.skipIf(!IS_ROOT)('container DNS (docker CLI, netns sandbox)', () => {
  let seed: RegistryHandle;
  let sb: NetnsSandbox;
  let image: string;

  const ok = async (args: string[]): Promise<string> => {
    const r = await sb.d(args, { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout.trim();
  };
  const ipOf = async (ctr: string, net: string): Promise<string> => ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, ctr]);
  /** The address busybox nslookup prints for `name`, or '' when it cannot resolve it. */
  const resolve = async (ctr: string, name: string, attempts = 3): Promise<string> => {
    // busybox nslookup asks once; a resolver library retries (resolv.conf attempts): so does this, on a loaded machine.
    for (let i = 0; i < attempts; i++) {
      const r = await sb.d(['exec', ctr, 'nslookup', name]);
      const m = /Name:\s*\S+\s*\nAddress(?: 1)?:\s*([\d.]+)/.exec(r.stdout);
      if (m) return m[1]!;
      if (/NXDOMAIN|can't find/.test(r.stdout)) return '';
    }
    return '';
  };

  beforeAll(async () => {
    seed = await startRegistry();
    await pushImage(seed.url, 'busybox', 'latest', await busyboxImage());
    sb = await startNetnsSandbox({ registryStorage: seed.storageDir });
    image = `${sb.registry.host}/busybox:latest`;
    await ok(['pull', image]);
    sb.spawnIn('outside', [process.execPath, '-e', FAKE_DNS]);
  }, 180_000);

  afterAll(async () => {
    await sb?.cleanup();
    await seed?.stop();
  }, 60_000);

  it('containers on a user network resolve each other by name, alias and short ID', async () => {
    await ok(['network', 'create', 'app']);
    await ok(['network', 'create', 'other']);
    await ok(['run', '-d', '--name', 'web', '--network', 'app', image, 'sleep', '300']);
    await ok(['run', '-d', '--name', 'db', '--network', 'app', '--network-alias', 'database', image, 'sleep', '300']);
    const dbIp = await ipOf('db', 'app');
    expect(await resolve('web', 'db')).toBe(dbIp);
    expect(await resolve('web', 'database')).toBe(dbIp);
    const shortId = (await ok(['inspect', '-f', '{{.Id}}', 'db'])).slice(0, 12);
    expect(await resolve('web', shortId)).toBe(dbIp);
    expect((await sb.d(['exec', 'web', 'ping', '-c', '1', '-W', '3', 'database'])).code).toBe(0);
    const conf = await ok(['exec', 'web', 'cat', '/etc/resolv.conf']);
    const gw = (await ok(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'app']));
    expect(conf).toContain(`nameserver ${gw}`);
    expect(conf).toContain('options ndots:0');
  });

  it('does not resolve across networks, nor on the default bridge (IP only there)', async () => {
    await ok(['run', '-d', '--name', 'stranger', '--network', 'other', image, 'sleep', '300']);
    expect(await resolve('stranger', 'db')).toBe('');
    // Asking another network's DNS directly is refused: names do not leak between networks.
    const gw = await ok(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'app']);
    const direct = await sb.d(['exec', 'stranger', 'nslookup', 'db', gw]);
    expect(direct.stdout).not.toContain(await ipOf('db', 'app'));
    // --dns keeps b1's lookups inside the sandbox (the fake server knows no b2).
    await ok(['run', '-d', '--name', 'b1', '--dns', OUTSIDE_ADDR, image, 'sleep', '300']);
    await ok(['run', '-d', '--name', 'b2', image, 'sleep', '300']);
    expect(await resolve('b1', 'b2')).toBe('');
    expect((await sb.d(['exec', 'b1', 'ping', '-c', '1', '-W', '3', await ipOf('b2', 'bridge')])).code).toBe(0);
  });

  it('forwards other names to the container\'s --dns server, resolves name.network, writes --dns-search and --dns-option', async () => {
    await ok(['run', '-d', '--name', 'fwd', '--network', 'app', '--dns', OUTSIDE_ADDR, image, 'sleep', '300']);
    expect(await resolve('fwd', 'outside.test')).toBe('192.0.2.80');
    expect(await resolve('fwd', 'db')).toBe(await ipOf('db', 'app'));
    // name.network, as libnetwork resolves it.
    expect(await resolve('fwd', 'db.app')).toBe(await ipOf('db', 'app'));
    await ok(['run', '-d', '--name', 'srch', '--network', 'app', '--dns-search', 'corp.test', '--dns-option', 'timeout:2', image, 'sleep', '300']);
    const conf = await ok(['exec', 'srch', 'cat', '/etc/resolv.conf']);
    expect(conf).toContain('search corp.test');
    expect(conf).toMatch(/options ndots:0 timeout:2/);
    expect(JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig.DnsSearch}}', 'srch']))).toEqual(['corp.test']);
    expect(JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig.Dns}}', 'fwd']))).toEqual([OUTSIDE_ADDR]);
    // On the default bridge --dns is the container's nameserver itself.
    await ok(['run', '-d', '--name', 'plain', '--dns', OUTSIDE_ADDR, image, 'sleep', '300']);
    expect(await ok(['exec', 'plain', 'cat', '/etc/resolv.conf'])).toContain(`nameserver ${OUTSIDE_ADDR}`);
    expect(await resolve('plain', 'outside.test')).toBe('192.0.2.80');
  });

  it('--link on a user network: the alias resolves for the linking container only; refused on the default bridge', async () => {
    const linked = await sb.d(['run', '--rm', '--network', 'app', '--link', 'db:mydb', image, 'nslookup', 'mydb']);
    expect(linked.stdout, linked.stderr).toContain(await ipOf('db', 'app'));
    expect(await resolve('web', 'mydb')).toBe('');
    const legacy = await sb.d(['run', '--rm', '--link', 'db:mydb', image, 'true']);
    expect(legacy.code).not.toBe(0);
    expect(legacy.stderr).toContain('legacy links on the default bridge are not supported');
  });

  it('--add-host host-gateway names the default bridge gateway', async () => {
    await ok(['run', '-d', '--name', 'gw', '--add-host', 'host.docker.internal:host-gateway', image, 'sleep', '300']);
    const gw = await ok(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge']);
    expect(await ok(['exec', 'gw', 'cat', '/etc/hosts'])).toMatch(new RegExp(`${gw.replace(/\./g, '\\.')}\\s+host\\.docker\\.internal`));
  });

  it('--network container:<name> shares the other container\'s interfaces, hosts file and names; conflicts are refused', async () => {
    const webIp = await ipOf('web', 'app');
    const webId = await ok(['inspect', '-f', '{{.Id}}', 'web']);
    await ok(['exec', '-d', 'web', 'sh', '-c', 'mkdir -p /www && echo shared > /www/index.html && httpd -p 8081 -h /www']);
    await ok(['run', '-d', '--name', 'side', '--network', 'container:web', image, 'sleep', '300']);
    expect(await ok(['exec', 'side', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).toContain(`inet ${webIp}/`);
    let page = '';
    for (let i = 0; i < 20 && page === ''; i++) page = (await sb.d(['exec', 'side', 'wget', '-qO-', 'http://127.0.0.1:8081/'])).stdout;
    expect(page).toBe('shared\n');
    expect(await ok(['inspect', '-f', '{{.HostConfig.NetworkMode}}', 'side'])).toBe(`container:${webId}`);
    expect(await ok(['exec', 'side', 'hostname'])).toBe(await ok(['exec', 'web', 'hostname']));
    expect(await ok(['exec', 'side', 'cat', '/etc/hosts'])).toBe(await ok(['exec', 'web', 'cat', '/etc/hosts']));
    expect(await resolve('side', 'db')).toBe(await ipOf('db', 'app'));
    const clash = await sb.d(['run', '--rm', '--network', 'container:web', '-p', '9999:80', image, 'true']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain('conflicting options: port publishing');
    const connect = await sb.d(['network', 'connect', 'other', 'side']);
    expect(connect.code).not.toBe(0);
    expect(connect.stderr).toContain('cannot be connected to any other network');
    await ok(['create', '--name', 'idle', image, 'sleep', '1']);
    const dead = await sb.d(['run', '--rm', '--network', 'container:idle', image, 'true']);
    expect(dead.code).not.toBe(0);
    expect(dead.stderr).toContain('cannot join network namespace of a non running container');
    await ok(['rm', '-f', 'side', 'idle']);
  });

  it('names still resolve after kill -9 of berthd and a restart', async () => {
    await sb.killAndRestart();
    expect(await resolve('web', 'db')).toBe(await ipOf('db', 'app'));
    await ok(['rm', '-f', 'web', 'db', 'stranger', 'b1', 'b2', 'fwd', 'srch', 'plain', 'gw']);
    await ok(['network', 'rm', 'app', 'other']);
  });
});
