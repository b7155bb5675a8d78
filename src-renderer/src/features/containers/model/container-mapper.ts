import type { ContainerState, ContainerView, StatsSummaryView } from '../../../../../src-shared/ipc/models/containers';
import type { BadgeTone } from '../../../components/badge';
import { formatAgo, formatMemory, formatPercent } from '../../../lib/format';
import { composeMembership, healthOf, type Health } from './stack-model';

export interface ContainerRowView {
  id: string;
  shortId: string;
  name: string;
  image: string;
  command: string;
  state: ContainerState;
  stateLabel: string;
  tone: BadgeTone;
  /** The engine's own words: `Up 3 minutes`, `Exited (137) 5 seconds ago`. */
  status: string;
  created: string;
  /** Epoch ms, for sorting. */
  createdAt: number;
  createdTitle: string;
  cpu: string;
  /** For sorting; undefined when not running (sorted last). */
  cpuValue: number | undefined;
  memory: string;
  memoryValue: number | undefined;
  /** "Stopping… 7 s" while a stop is in flight, else null. */
  stoppingLabel: string | null;
  memoryTitle: string;
  /** Published ports (see portLinks). */
  ports: PortLinkView[];
  /** Compose labels: the stack (project) this container belongs to, its service and replica number; null when standalone. */
  project: string | null;
  service: string | null;
  replica: number | null;
  /** From the engine's status (`Up 2 minutes (healthy)`); null without a healthcheck. */
  health: Health | null;
  running: boolean;
  canStart: boolean;
  canStop: boolean;
  canKill: boolean;
}

const STATE_TONES: Record<ContainerState, BadgeTone> = {
  running: 'ok',
  restarting: 'warn',
  paused: 'warn',
  created: 'info',
  removing: 'muted',
  exited: 'muted',
  dead: 'danger',
};

/**
 * A published port: `url` opens it in the browser where the desktop reaches it directly; `tunnel`
 * says the app must first open an SSH tunnel to the engine's host (`ports:open`); neither: shown only.
 */
export interface PortLinkView {
  key: string;
  label: string;
  url: string | null;
  tunnel: { port: number; ip: string } | null;
}

export type StatsById = StatsSummaryView['byId'];

/**
 * `stoppingUntil`: when the engine will SIGKILL, if a stop is in flight. Memory is the engine's
 * usage figure as the Stats tab shows it (the same stats summary source: usage minus page cache).
 */
/**
 * A published port as a link: on the local engine `0.0.0.0` means this machine's loopback; a port
 * bound to one address opens there. On a remote host (`linkHost` undefined) the port is on that
 * host, which the desktop may not reach: a TCP port opens through an SSH tunnel the app keeps.
 */
export function portLinks(ports: ContainerView['ports'] | undefined, linkHost: string | undefined): PortLinkView[] {
  return (ports ?? []).map((p) => {
    const label = `${p.hostPort}→${p.containerPort}/${p.proto}`;
    const key = `${p.hostIp}:${p.hostPort}/${p.proto}`;
    if (p.proto !== 'tcp') return { key, label, url: null, tunnel: null };
    if (linkHost === undefined) return { key, label, url: null, tunnel: { port: p.hostPort, ip: p.hostIp } };
    const host = p.hostIp === '0.0.0.0' || p.hostIp === '' ? linkHost : p.hostIp;
    return { key, label, url: `http://${host}:${p.hostPort}/`, tunnel: null };
  });
}

export function toContainerRowView(c: ContainerView, stats: StatsById[string] | undefined, now: number, stoppingUntil?: number, linkHost?: string): ContainerRowView {
  const running = c.state === 'running' || c.state === 'restarting';
  const live = running && stats !== undefined;
  const compose = composeMembership(c.labels);
  return {
    id: c.id,
    shortId: c.shortId,
    name: c.name,
    image: c.image,
    command: c.command,
    state: c.state,
    stateLabel: c.state.charAt(0).toUpperCase() + c.state.slice(1),
    tone: STATE_TONES[c.state] ?? 'muted',
    status: c.status,
    created: formatAgo(c.created, now),
    createdAt: c.created,
    cpuValue: live ? stats.cpuPercent : undefined,
    memoryValue: live ? stats.memoryUsage : undefined,
    stoppingLabel: running ? stoppingLabel(stoppingUntil, now) : null,
    createdTitle: c.created > 0 ? new Date(c.created).toISOString() : '',
    cpu: live ? formatPercent(stats.cpuPercent) : '—',
    memory: live ? formatMemory(stats.memoryUsage) : '—',
    memoryTitle: live ? `${formatMemory(stats.memoryUsage)} of ${formatMemory(stats.memoryLimit)}` : '',
    ports: running ? portLinks(c.ports, linkHost) : [],
    project: compose?.project ?? null,
    service: compose?.service ?? null,
    replica: compose?.replica ?? null,
    health: running ? healthOf(c.status) : null,
    running,
    canStart: !running && c.state !== 'removing',
    canStop: running || c.state === 'paused',
    canKill: running || c.state === 'paused',
  };
}

/** Newest first, as `docker ps`. */
export function toContainerRowViews(list: readonly ContainerView[], stats: StatsById, now: number, stopping: Readonly<Record<string, number>> = {}, linkHost?: string): ContainerRowView[] {
  return [...list].sort((a, b) => b.created - a.created || a.name.localeCompare(b.name)).map((c) => toContainerRowView(c, stats[c.id], now, stopping[c.id], linkHost));
}

/** Row equality for React.memo: rows re-render only when something they show changed. */
export function sameRow(a: ContainerRowView, b: ContainerRowView): boolean {
  for (const key of Object.keys(a) as (keyof ContainerRowView)[]) {
    if (key === 'ports') {
      if (a.ports.length !== b.ports.length || a.ports.some((p, i) => p.key !== b.ports[i]?.key || p.url !== b.ports[i]?.url)) return false;
    } else if (a[key] !== b[key]) return false;
  }
  return true;
}

export interface ContainerCounts {
  total: number;
  running: number;
  label: string;
}

export function countContainers(rows: readonly ContainerRowView[]): ContainerCounts {
  const running = rows.filter((r) => r.running).length;
  return { total: rows.length, running, label: `${rows.length} container${rows.length === 1 ? '' : 's'}, ${running} running` };
}

/** "Stopping… 7 s" (or "Stopping…" once the timeout passed and SIGKILL is on its way). */
export function stoppingLabel(deadline: number | undefined, now: number): string | null {
  if (deadline === undefined) return null;
  const left = Math.ceil((deadline - now) / 1000);
  return left > 0 ? `Stopping… ${left} s` : 'Stopping…';
}
