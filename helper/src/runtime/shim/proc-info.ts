import { readFile } from 'node:fs/promises';
import type { ContainerProcessInfo, NetIfStats } from '../runtime';

/** Reads one process from /proc (undefined if it is gone). `procRoot` is injectable for tests. */
export async function readProcessInfo(pid: number, procRoot = '/proc'): Promise<ContainerProcessInfo | undefined> {
  try {
    const [status, stat, cmdline] = await Promise.all([
      readFile(`${procRoot}/${pid}/status`, 'utf8'),
      readFile(`${procRoot}/${pid}/stat`, 'utf8'),
      readFile(`${procRoot}/${pid}/cmdline`),
    ]);
    return parseProcessInfo(pid, status, stat, cmdline);
  } catch {
    return undefined;
  }
}

export function parseProcessInfo(pid: number, status: string, stat: string, cmdline: Buffer): ContainerProcessInfo {
  const field = (name: string): string => {
    const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
    return m ? m[1]!.trim() : '';
  };
  const nspid = field('NSpid').split(/\s+/).filter(Boolean).map(Number);
  // comm may contain spaces and parens: the fields start after the LAST ')'.
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const args = cmdline.toString().split('\0');
  if (args.length && args[args.length - 1] === '') args.pop();
  return {
    hostPid: pid,
    containerPid: nspid.length ? nspid[nspid.length - 1]! : pid,
    hostPpid: Number(field('PPid')) || 0,
    uid: Number(field('Uid').split(/\s+/)[0]) || 0,
    gid: Number(field('Gid').split(/\s+/)[0]) || 0,
    args: args.length ? args : [`[${comm}]`],
    state: afterComm[0] ?? '?',
    // stat fields 14/15 (utime, stime) and 22 (starttime), counted from field 3 = afterComm[0].
    cpuTicks: Number(afterComm[11] ?? 0) + Number(afterComm[12] ?? 0),
    startTimeTicks: Number(afterComm[19] ?? 0),
    rssBytes: (Number(field('VmRSS').split(/\s+/)[0]) || 0) * 1024,
  };
}

/** Host CPU time (ns) from /proc/stat's "cpu" line and the number of online CPUs, for stats. */
export function parseProcStat(text: string, userHz = 100): { systemCpuNs: number; onlineCpus: number } {
  let systemCpuNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number).reduce((a, b) => a + b, 0);
      systemCpuNs = (ticks * 1e9) / userHz;
    } else if (/^cpu\d+ /.test(line)) {
      onlineCpus++;
    }
  }
  return { systemCpuNs, onlineCpus };
}

/**
 * `/proc/<pid>/net/dev` (the counters of that process's network namespace) per interface, without
 * `lo`, as dockerd reports a container's `networks` in stats.
 */
export function parseNetDev(text: string): Record<string, NetIfStats> {
  const out: Record<string, NetIfStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === '' || name === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out[name] = { rxBytes: f[0]!, rxPackets: f[1]!, rxErrors: f[2]!, rxDropped: f[3]!, txBytes: f[8]!, txPackets: f[9]!, txErrors: f[10]!, txDropped: f[11]! };
  }
  return out;
}
