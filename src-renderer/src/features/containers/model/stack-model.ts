import { COMPOSE_LABELS } from '../../../../../src-shared/ipc/models/stacks';
import type { BadgeTone } from '../../../components/badge';
import type { ContainerRowView } from './container-mapper';

/**
 * Compose stacks in the containers list: containers that share `com.docker.compose.project` are
 * one stack, shown as one collapsible row. Pure functions; the views only render what they return.
 */

export type Health = 'healthy' | 'unhealthy' | 'starting';

export interface ComposeMembership {
  project: string;
  /** `com.docker.compose.service`; the container's role in the stack (`web`, `db`). */
  service: string;
  /** `com.docker.compose.container-number`; 1 when absent or not a number. */
  replica: number;
}

/** The compose labels of a container, or null when it is not part of a stack. */
export function composeMembership(labels: Readonly<Record<string, string>>): ComposeMembership | null {
  const project = labels[COMPOSE_LABELS.project];
  if (!project) return null;
  const replica = Number.parseInt(labels[COMPOSE_LABELS.containerNumber] ?? '', 10);
  return { project, service: labels[COMPOSE_LABELS.service] ?? '', replica: Number.isFinite(replica) && replica > 0 ? replica : 1 };
}

/** The engine appends the health to a running container's status: `Up 5 s (health: starting)`. */
export function healthOf(status: string): Health | null {
  const m = /\((healthy|unhealthy|health: starting)\)\s*$/.exec(status);
  if (!m) return null;
  return m[1] === 'health: starting' ? 'starting' : (m[1] as Health);
}

export interface StackView {
  project: string;
  /** By service, then replica. */
  members: ContainerRowView[];
  /** The services, sorted; their index picks the service's colour. */
  services: string[];
  running: number;
  total: number;
  /** `1/2 running`. */
  countLabel: string;
  /** ok: all running; warn: some; muted: none. */
  tone: BadgeTone;
  canStart: boolean;
  canStop: boolean;
}

export interface StackGrouping {
  /** By project name. */
  stacks: StackView[];
  /** Containers without a project label, in their original order. */
  standalone: ContainerRowView[];
}

const byServiceThenReplica = (a: ContainerRowView, b: ContainerRowView): number =>
  (a.service ?? '').localeCompare(b.service ?? '') || (a.replica ?? 0) - (b.replica ?? 0) || a.name.localeCompare(b.name);

export function toStackView(project: string, rows: readonly ContainerRowView[]): StackView {
  const members = [...rows].sort(byServiceThenReplica);
  const running = members.filter((r) => r.running).length;
  const total = members.length;
  return {
    project,
    members,
    services: [...new Set(members.map((r) => r.service ?? ''))].sort(),
    running,
    total,
    countLabel: `${running}/${total} running`,
    tone: running === total ? 'ok' : running > 0 ? 'warn' : 'muted',
    canStart: members.some((r) => r.canStart),
    canStop: members.some((r) => r.canStop),
  };
}

export function groupByStack(rows: readonly ContainerRowView[]): StackGrouping {
  const byProject = new Map<string, ContainerRowView[]>();
  const standalone: ContainerRowView[] = [];
  for (const r of rows) {
    if (r.project === null) standalone.push(r);
    else byProject.set(r.project, [...(byProject.get(r.project) ?? []), r]);
  }
  const stacks = [...byProject.entries()].map(([project, members]) => toStackView(project, members)).sort((a, b) => a.project.localeCompare(b.project));
  return { stacks, standalone };
}

/** A stack passes the list's filter when its name does, or any of its members (by name, service, image or state). */
export function stackMatches(stack: StackView, filter: string): boolean {
  const q = filter.trim().toLowerCase();
  if (q === '' || stack.project.toLowerCase().includes(q)) return true;
  return stack.members.some((r) => r.name.toLowerCase().includes(q) || (r.service ?? '').toLowerCase().includes(q) || r.image.toLowerCase().includes(q) || r.state.startsWith(q));
}

/** `web`, or `web-2` when the service runs more than one replica (as compose names its log prefixes). */
export function memberLabel(row: Pick<ContainerRowView, 'service' | 'replica' | 'name'>, stack: Pick<StackView, 'members'>): string {
  const service = row.service || row.name;
  const replicas = stack.members.filter((m) => (m.service || m.name) === service).length;
  return replicas > 1 ? `${service}-${row.replica ?? 1}` : service;
}

/** Theme colours that keep contrast on the log background in both themes (see tokens.css). */
const SERVICE_COLOURS = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--focus)'] as const;

/** Each service's colour: by its position among the stack's sorted services, so it is stable while the stack lives. */
export function serviceColour(service: string, services: readonly string[]): string {
  const i = Math.max(0, services.indexOf(service));
  return SERVICE_COLOURS[i % SERVICE_COLOURS.length] as string;
}
