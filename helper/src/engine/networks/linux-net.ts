/**
 * The kernel side of bridge networking, through iproute2 (`ip`) and `nft` run as child processes:
 * Node cannot speak netlink without a native library, and these tools are on every host that has
 * bridges. berthd never changes its own namespaces: a container's side is configured with `ip`
 * running under `nsenter --net=/proc/<pid>/ns/net` (a child process enters, not berthd).
 */
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

/**
 * iproute2's `ip`, by absolute path. A busybox `ip` applet (minimal hosts, Berth machine guests)
 * knows neither `-batch` nor veth peers in another netns, and busybox's own `nsenter` runs its
 * applet for a bare `ip` even when iproute2 is installed: so the real one is named explicitly.
 */
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => {
  try {
    return existsSync(p) && basename(realpathSync(p)) !== 'busybox';
  } catch {
    return false;
  }
}) ?? 'ip';

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], input?: string): Promise<CmdResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code === 1 ? err.message : '') });
    });
    child.stdin?.end(input);
  });
}

async function must(cmd: string, args: string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

export interface VethPlan {
  bridge: string;
  hostVeth: string;
  /** Interface name inside the container (eth0, eth1…). */
  ifName: string;
  pid: number;
  address: string;
  prefixLen: number;
  mac: string;
  mtu: number;
  /** Default route via this gateway (the first network only). */
  gateway?: string;
}

/** What the networks engine needs from the host (a fake in unit tests). */
export interface HostNet {
  /** IPv4 routes of the host's netns as CIDRs ("default" excluded). */
  routes(): Promise<string[]>;
  linkExists(name: string): Promise<boolean>;
  /** Creates the bridge if missing, sets its address and brings it up; idempotent. */
  ensureBridge(name: string, gatewayCidr: string, mtu: number): Promise<void>;
  deleteLink(name: string): Promise<void>;
  /** veth pair: host end on the bridge, peer moved into the container's netns and configured. */
  addVeth(plan: VethPlan): Promise<void>;
  /** Deletes a container-side interface (network disconnect of a running container). */
  deleteInContainer(pid: number, ifName: string): Promise<void>;
  /** Replaces berthd's nft table with `ruleset` (a complete `table ip berth { … }`), or deletes it when null. */
  applyNft(ruleset: string | null): Promise<void>;
  enableForwarding(): Promise<void>;
  /** net.ipv4.conf.<bridge>.route_localnet=1: DNAT of 127.0.0.1 traffic into the bridge (published ports from the host's loopback). */
  enableRouteLocalnet(bridge: string): Promise<void>;
}

const TABLE = 'berth';

export class LinuxHostNet implements HostNet {
  async routes(): Promise<string[]> {
    const out = await must(IP, ['-4', '-o', 'route', 'show', 'table', 'all']);
    const cidrs: string[] = [];
    for (const line of out.split('\n')) {
      const first = line.trim().split(/\s+/)[0];
      const dest = first === 'local' || first === 'broadcast' ? undefined : first;
      if (!dest || dest === 'default' || dest === 'unreachable') continue;
      cidrs.push(dest.includes('/') ? dest : `${dest}/32`);
    }
    return cidrs;
  }

  async linkExists(name: string): Promise<boolean> {
    return (await run(IP, ['link', 'show', 'dev', name])).code === 0;
  }

  async ensureBridge(name: string, gatewayCidr: string, mtu: number): Promise<void> {
    if (!(await this.linkExists(name))) await must(IP, ['link', 'add', 'name', name, 'mtu', String(mtu), 'type', 'bridge']);
    await must(IP, ['addr', 'replace', gatewayCidr, 'dev', name]);
    await must(IP, ['link', 'set', 'dev', name, 'up']);
  }

  async deleteLink(name: string): Promise<void> {
    const r = await run(IP, ['link', 'del', 'dev', name]);
    if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) throw new Error(`ip link del ${name}: ${r.stderr.trim()}`);
  }

  async addVeth(p: VethPlan): Promise<void> {
    // A temporary peer name: eth0 may not be unique in berthd's netns; renamed once inside.
    const peer = `${p.hostVeth}p`.slice(0, 15);
    await must(IP, ['link', 'add', 'name', p.hostVeth, 'mtu', String(p.mtu), 'type', 'veth', 'peer', 'name', peer, 'mtu', String(p.mtu), 'address', p.mac, 'netns', String(p.pid)]);
    try {
      await must(IP, ['-batch', '-'], `link set dev ${p.hostVeth} master ${p.bridge}\nlink set dev ${p.hostVeth} up\n`);
      const inside = [`link set dev ${peer} name ${p.ifName}`, `addr add ${p.address}/${p.prefixLen} dev ${p.ifName}`, `link set dev ${p.ifName} up`];
      if (p.gateway) inside.push(`route add default via ${p.gateway} dev ${p.ifName}`);
      await must('nsenter', [`--net=/proc/${p.pid}/ns/net`, '--', IP, '-batch', '-'], `${inside.join('\n')}\n`);
    } catch (err) {
      await this.deleteLink(p.hostVeth).catch(() => undefined);
      throw err;
    }
  }

  async deleteInContainer(pid: number, ifName: string): Promise<void> {
    await must('nsenter', [`--net=/proc/${pid}/ns/net`, '--', IP, 'link', 'del', 'dev', ifName]);
  }

  async applyNft(ruleset: string | null): Promise<void> {
    // `add` then `delete` makes the delete valid whether or not the table exists; the whole file is
    // one nft transaction, so the rules are never half-applied.
    if (ruleset === null) {
      // Nothing to apply: delete our table if a previous run left one, create nothing.
      await run('nft', ['delete', 'table', 'ip', TABLE]);
      return;
    }
    const script = `add table ip ${TABLE}\ndelete table ip ${TABLE}\n${ruleset}`;
    await must('nft', ['-f', '-'], script);
  }

  async enableForwarding(): Promise<void> {
    await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
  }

  async enableRouteLocalnet(bridge: string): Promise<void> {
    await writeFile(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1\n');
  }
}
