import type { ContainerDetailView } from '../../../../../src-shared/ipc/models/containers';
import type { BadgeTone } from '../../../components/badge';
import { formatArgv, formatMemory, shortId } from '../../../lib/format';
import { portLinks, type PortLinkView } from './container-mapper';
import { detectShellForm, toShellFormWarning, type ShellFormWarningView } from '../../../lib/shell-form';

export interface KeyValueView {
  key: string;
  value: string;
}

export interface ContainerOverviewView {
  id: string;
  shortId: string;
  name: string;
  stateLabel: string;
  tone: BadgeTone;
  running: boolean;
  /** Frozen by `docker pause` (still counts as running, as the engine says). */
  paused: boolean;
  /** The container allocates a TTY: the terminal attaches to it instead of exec'ing a shell. */
  tty: boolean;
  facts: KeyValueView[];
  limits: KeyValueView[];
  overlay: KeyValueView[];
  pid1Warning: ShellFormWarningView | null;
  /** `app 172.20.0.2/16` per attached network, with its aliases (`aka web, www`). */
  addresses: { network: string; text: string }[];
  /** Published ports while it runs, as links (see portLinks). */
  ports: PortLinkView[];
}

const NEVER = '0001-01-01T00:00:00Z';

function restartLabel(d: ContainerDetailView): string {
  const p = d.restartPolicy ?? { name: 'no' };
  const name = p.name === 'on-failure' && p.maximumRetryCount ? `on-failure:${p.maximumRetryCount}` : p.name;
  return d.restartCount > 0 ? `${name} (restarted ${d.restartCount}×)` : name;
}

function logLabel(d: ContainerDetailView): string {
  const l = d.logConfig ?? { type: '', config: {} };
  const opts = Object.entries(l.config).map(([k, v]) => `${k}=${v}`);
  return `${l.type || 'default'}${opts.length > 0 ? ` (${opts.join(', ')})` : ''}`;
}

function when(iso: string): string {
  return !iso || iso.startsWith('0001-') || iso === NEVER ? '—' : new Date(iso).toLocaleString();
}

/** `linkHost`: where the desktop reaches the engine's published ports (undefined: a remote host). */
export function toContainerOverview(d: ContainerDetailView, linkHost?: string): ContainerOverviewView {
  const s = d.state;
  let stateLabel = s.status.charAt(0).toUpperCase() + s.status.slice(1);
  if (!s.running && s.status === 'exited') stateLabel += ` (${s.exitCode})${s.oomKilled ? ' — OOM killed' : ''}`;
  const tone: BadgeTone = s.status === 'paused' ? 'warn' : s.running ? 'ok' : s.oomKilled || s.status === 'dead' ? 'danger' : 'muted';
  const argv = [d.path, ...d.args].filter((a) => a !== '');
  const facts: KeyValueView[] = [
    { key: 'ID', value: d.id },
    { key: 'Image', value: `${d.image} (${shortId(d.imageId)})` },
    { key: 'Command (PID 1)', value: formatArgv(argv) || '—' },
    { key: 'Created', value: new Date(d.created).toLocaleString() },
    { key: 'Started', value: when(s.startedAt) },
    { key: 'Finished', value: s.running ? '—' : when(s.finishedAt) },
    { key: 'Host PID', value: s.running && s.pid > 0 ? String(s.pid) : '—' },
    { key: 'TTY', value: d.config.tty ? 'yes' : 'no' },
    { key: 'Network', value: d.hostConfig.networkMode || 'default' },
    { key: 'Restart policy', value: restartLabel(d) },
    { key: 'Log driver', value: logLabel(d) },
  ];
  if (s.error) facts.push({ key: 'Error', value: s.error });
  if (d.hostConfig.binds.length > 0) facts.push({ key: 'Binds', value: d.hostConfig.binds.join(', ') });
  const limits: KeyValueView[] = [
    { key: 'Memory', value: d.hostConfig.memory > 0 ? formatMemory(d.hostConfig.memory) : 'unlimited' },
    { key: 'CPUs', value: d.hostConfig.cpus > 0 ? String(d.hostConfig.cpus) : 'unlimited' },
    { key: 'PIDs', value: d.hostConfig.pidsLimit && d.hostConfig.pidsLimit > 0 ? String(d.hostConfig.pidsLimit) : 'unlimited' },
    { key: '--init', value: d.hostConfig.init ? 'yes' : 'no' },
    { key: 'Auto-remove', value: d.hostConfig.autoRemove ? 'yes' : 'no' },
  ];
  const o = d.overlay;
  const overlay: KeyValueView[] = [{ key: 'Driver', value: o.driver || '—' }];
  if (o.lowerDir) overlay.push({ key: 'LowerDir', value: o.lowerDir });
  if (o.upperDir) overlay.push({ key: 'UpperDir', value: o.upperDir });
  if (o.mergedDir) overlay.push({ key: 'MergedDir', value: o.mergedDir });
  if (o.workDir) overlay.push({ key: 'WorkDir', value: o.workDir });
  // --init puts a signal-forwarding init at PID 1, which makes a shell-form command harmless.
  const finding = d.hostConfig.init ? null : detectShellForm({ Entrypoint: d.config.entrypoint, Cmd: d.config.cmd });
  return {
    id: d.id,
    shortId: shortId(d.id),
    name: d.name.replace(/^\//, ''),
    stateLabel,
    tone,
    running: s.running,
    paused: s.status === 'paused',
    tty: d.config.tty,
    facts,
    limits,
    overlay,
    pid1Warning: finding ? toShellFormWarning(finding) : null,
    addresses: (d.addresses ?? []).map((a) => {
      // The short ID is an alias dockerd adds on its own; it says nothing the header does not.
      const aliases = a.aliases.filter((x) => x !== shortId(d.id) && x !== d.name.replace(/^\//, ''));
      return { network: a.network, text: `${a.ipv4}${a.prefixLen > 0 ? `/${a.prefixLen}` : ''}${aliases.length > 0 ? ` (aka ${aliases.join(', ')})` : ''}` };
    }),
    ports: s.running ? portLinks(d.ports, linkHost) : [],
  };
}
