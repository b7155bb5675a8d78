/**
 * Published ports with the stock docker CLI against berthd, inside the netns sandbox: `-p` reached
 * from "the outside" namespace (DNAT) and from the host's own loopback (kernel DNAT with
 * route_localnet, no proxy process), `-p 80` and `-P` with ports `docker port` reports, UDP, a
 * taken port refused at start with nothing left half-made, survival of a berthd kill -9, and no
 * rule left after rm. The IPv6 side of a port (`[::]`, as dockerd publishes on a host with IPv6)
 * goes through berthd's proxy to the container's IPv4 address. No packet leaves the sandbox's two namespaces.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { SANDBOX_ADDR, startNetnsSandbox, type NetnsSandbox } from '../harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../harness/registry';

const WEB = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'];

describe.skipIf(!IS_ROOT)('published ports (docker CLI, netns sandbox)', () => {
  let seed: RegistryHandle;
  let sb: NetnsSandbox;
  let image: string;

  const ok = async (args: string[]): Promise<string> => {
    const r = await sb.d(args, { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout.trim();
  };
  const nftTable = async (): Promise<string> => (await sb.exec('sandbox', ['nft', 'list', 'table', 'ip', 'berth'])).stdout;
  /** GETs a page, retrying while the server in the container starts. */
  const fetchFrom = async (where: 'sandbox' | 'outside', url: string): Promise<string> => {
    let last = '';
    for (let i = 0; i < 50; i++) {
      const r = await sb.exec(where, ['curl', '-s', '--max-time', '3', url]);
      if (r.code === 0 && r.stdout !== '') return r.stdout;
      last = `${r.code} ${r.stderr}`;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`GET ${url} from ${where}: ${last}`);
  };

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

  it('-p 8080:80 serves the page to the outside namespace and to the host loopback', async () => {
    await ok(['run', '-d', '--name', 'web', '--hostname', 'web', '-p', '8080:80', image, ...WEB]);
    expect(await fetchFrom('outside', `http://${SANDBOX_ADDR}:8080/`)).toBe('hello from web\n');
    expect(await fetchFrom('sandbox', 'http://127.0.0.1:8080/')).toBe('hello from web\n');
    expect(await fetchFrom('sandbox', `http://${SANDBOX_ADDR}:8080/`)).toBe('hello from web\n');
    // As dockerd on a host with IPv6: the port is published on [::] too (berthd proxies it to the container's IPv4).
    expect(await fetchFrom('sandbox', 'http://[::1]:8080/')).toBe('hello from web\n');
    expect(await ok(['port', 'web'])).toBe('80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080');
    const ports = JSON.parse(await ok(['inspect', '-f', '{{json .NetworkSettings.Ports}}', 'web'])) as Record<string, unknown>;
    expect(ports).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }] });
    expect(JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig.PortBindings}}', 'web']))).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
    expect(await ok(['ps', '--filter', 'name=web', '--format', '{{.Ports}}'])).toBe('0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
    // The traffic shows in the container's per-interface stats (docker stats' NET I/O), as on dockerd.
    const raw = JSON.parse(await ok(['inspect', '-f', '{{.Id}}', 'web']).then(async (id) => (await sb.exec('sandbox', ['curl', '-s', '--unix-socket', sb.berthd.socket, `http://x/containers/${id}/stats?stream=0`])).stdout)) as { networks?: Record<string, { rx_bytes: number; tx_bytes: number }> };
    expect(Object.keys(raw.networks ?? {})).toEqual(['eth0']);
    expect(raw.networks!.eth0!.tx_bytes).toBeGreaterThan(0);
    expect(raw.networks!.eth0!.rx_bytes).toBeGreaterThan(0);
    // No proxy process: the kernel forwards (and nothing else listens for the container).
    expect(await nftTable()).toMatch(/tcp dport 8080 dnat to [\d.]+:80/);
  });

  it('a taken host port fails the start with dockerd\'s message and leaves nothing half-made', async () => {
    const r = await sb.d(['run', '-d', '--name', 'web2', '-p', '8080:80', image, ...WEB]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Bind for 0.0.0.0:8080 failed: port is already allocated');
    expect(await ok(['inspect', '-f', '{{.State.Running}}', 'web2'])).toBe('false');
    // A host process listening on a port: the bind error names it.
    const squatter = sb.spawnIn('sandbox', ['busybox', 'nc', '-l', '-p', '8181']);
    await new Promise((res) => setTimeout(res, 300));
    const r2 = await sb.d(['run', '-d', '--name', 'web3', '-p', '8181:80', image, ...WEB]);
    squatter.kill();
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain('address already in use');
    expect(await nftTable()).not.toContain('dport 8181');
    expect((await nftTable()).match(/dport 8080/g)).toHaveLength(2); // prerouting + output, once
    await ok(['rm', '-f', 'web2', 'web3']);
  });

  it('-p 80 and -P pick free host ports that docker port reports, and they answer', async () => {
    await ok(['run', '-d', '--name', 'rnd', '-p', '80', image, ...WEB]);
    const m = /^80\/tcp -> 0\.0\.0\.0:(\d+)\n80\/tcp -> \[::\]:(\d+)$/.exec(await ok(['port', 'rnd']));
    expect(m).not.toBeNull();
    expect(m![2]).toBe(m![1]);
    expect(Number(m![1])).toBeGreaterThan(1023);
    expect(await fetchFrom('outside', `http://${SANDBOX_ADDR}:${m![1]}/`)).toContain('hello');
    await ok(['run', '-d', '--name', 'all', '--expose', '80', '--expose', '81', '-P', image, ...WEB]);
    const lines = (await ok(['port', 'all'])).split('\n').filter((l) => l.includes('0.0.0.0')).sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^80\/tcp -> 0\.0\.0\.0:\d+$/);
    expect(lines[1]).toMatch(/^81\/tcp -> 0\.0\.0\.0:\d+$/);
    const p80 = lines[0]!.split(':')[1]!;
    expect(await fetchFrom('sandbox', `http://127.0.0.1:${p80}/`)).toContain('hello');
  });

  it('-p [::]:9090:80 publishes on IPv6 only', async () => {
    await ok(['run', '-d', '--name', 'v6only', '-p', '[::]:9090:80', image, ...WEB]);
    expect(await ok(['port', 'v6only'])).toBe('80/tcp -> [::]:9090');
    expect(await fetchFrom('sandbox', 'http://[::1]:9090/')).toContain('hello');
    expect((await sb.exec('sandbox', ['curl', '-s', '--max-time', '2', 'http://127.0.0.1:9090/'])).code).not.toBe(0);
    expect(await nftTable()).not.toContain('dport 9090');
    await ok(['rm', '-f', 'v6only']);
    // The proxy let the port go with the container.
    await ok(['run', '-d', '--name', 'v6again', '-p', '[::]:9090:80', image, ...WEB]);
    await ok(['rm', '-f', 'v6again']);
  });

  it('a container on an internal and a public network publishes on the public one', async () => {
    // Attached in this order, the internal network is the container's first: its ports must still
    // go to the address of the network that gives the default route, as dockerd's gateway endpoint.
    await ok(['network', 'create', '--internal', 'a-inner']);
    await ok(['network', 'create', 'z-outer']);
    // The server answers only on the address of the interface with the default route, so a DNAT
    // rule or an IPv6 proxy aimed at the internal address gets no page.
    const onGateway = 'dev=$(ip route | awk \'/^default/ {print $5}\'); ip=$(ip -4 -o addr show dev $dev | awk \'{split($4, a, "/"); print a[1]}\'); '
      + 'mkdir -p /www && echo "hello from $ip" > /www/index.html && exec httpd -f -p $ip:80 -h /www';
    await ok(['create', '--name', 'twonets', '--network', 'a-inner', '-p', '8383:80', image, 'sh', '-c', onGateway]);
    await ok(['network', 'connect', 'z-outer', 'twonets']);
    await ok(['start', 'twonets']);
    const outer = await ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "z-outer").IPAddress}}', 'twonets']);
    const page = `hello from ${outer}\n`;
    expect(await fetchFrom('outside', `http://${SANDBOX_ADDR}:8383/`)).toBe(page);
    expect(await fetchFrom('sandbox', 'http://127.0.0.1:8383/')).toBe(page);
    expect(await fetchFrom('sandbox', 'http://[::1]:8383/')).toBe(page);
    expect(await nftTable()).toContain(`dport 8383 dnat to ${outer}:80`);
    // After a restart the rules are rebuilt and the IPv6 proxy is held again: on the same address.
    await sb.killAndRestart();
    expect(await nftTable()).toContain(`dport 8383 dnat to ${outer}:80`);
    expect(await fetchFrom('outside', `http://${SANDBOX_ADDR}:8383/`)).toBe(page);
    expect(await fetchFrom('sandbox', 'http://[::1]:8383/')).toBe(page);
    await ok(['rm', '-f', 'twonets']);
    await ok(['network', 'rm', 'a-inner', 'z-outer']);
  });

  it('publishes UDP', async () => {
    // busybox has no UDP server: a Node echo server runs in the container's network namespace.
    await ok(['run', '-d', '--name', 'udp', '-p', '5353:5353/udp', image, 'sleep', '300']);
    const pid = await ok(['inspect', '-f', '{{.State.Pid}}', 'udp']);
    const echo = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, '-e', "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('pong '+m,r.port,r.address));s.bind(5353)"], { stdio: 'ignore' });
    try {
      const client = `const s=require('dgram').createSocket('udp4');const t=setInterval(()=>s.send('ping',5353,'${SANDBOX_ADDR}'),200);s.on('message',(m)=>{console.log(String(m));clearInterval(t);s.close()});setTimeout(()=>process.exit(1),10000).unref()`;
      const r = await sb.exec('outside', [process.execPath, '-e', client], { timeoutMs: 15_000 });
      expect(r.stdout).toBe('pong ping\n');
      // The IPv6 side, through berthd's UDP proxy: the reply comes back to the IPv6 client.
      const client6 = `const s=require('dgram').createSocket('udp6');const t=setInterval(()=>s.send('ping6',5353,'::1'),200);s.on('message',(m)=>{console.log(String(m));clearInterval(t);s.close()});setTimeout(()=>process.exit(1),10000).unref()`;
      const r6 = await sb.exec('sandbox', [process.execPath, '-e', client6], { timeoutMs: 15_000 });
      expect(r6.stdout).toBe('pong ping6\n');
    } finally {
      echo.kill();
    }
    expect(await ok(['port', 'udp'])).toBe('5353/udp -> 0.0.0.0:5353\n5353/udp -> [::]:5353');
  });

  it('keeps published ports across kill -9 of berthd, without duplicating rules', async () => {
    const before = await nftTable();
    await sb.killAndRestart();
    expect(await nftTable()).toBe(before);
    expect(await fetchFrom('outside', `http://${SANDBOX_ADDR}:8080/`)).toBe('hello from web\n');
    expect(await fetchFrom('sandbox', 'http://[::1]:8080/')).toBe('hello from web\n');
    expect(await ok(['port', 'web'])).toBe('80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080');
    // The port is still held: another container cannot have it.
    const r = await sb.d(['run', '-d', '--name', 'web4', '-p', '8080:80', image, ...WEB]);
    expect(r.stderr).toContain('port is already allocated');
    await ok(['rm', '-f', 'web4']);
  });

  it('stop frees the port; rm -f leaves no rule behind', async () => {
    await ok(['stop', '-t', '1', 'web']);
    expect(await nftTable()).not.toContain('dport 8080');
    await ok(['run', '-d', '--name', 'web5', '-p', '8080:80', image, ...WEB]);
    expect(await fetchFrom('outside', `http://${SANDBOX_ADDR}:8080/`)).toContain('hello');
    await ok(['rm', '-f', 'web', 'web5', 'rnd', 'all', 'udp']);
    expect(await nftTable()).not.toMatch(/dnat to/);
  });
});
