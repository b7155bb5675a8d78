import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ProvisionArgs, ProvisionCheckView, ProvisionProgressView, ProvisionTargetArgs } from '../../../../../src-shared/ipc/models/provisioning';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { useConfirm } from '../../../components/confirm';
import { InlineError, Loading } from '../../../components/state-views';
import { useBridge } from '../../../lib/bridge-context';
import { HOSTS_KEY } from '../../../lib/query-keys';

type Action = ProvisionArgs['action'];

const PRIVILEGE: Record<ProvisionCheckView['privilege'], string> = {
  root: 'root',
  sudo: 'sudo (no password)',
  'sudo-password': 'sudo (asks for a password)',
  none: 'none: this user cannot become root',
};

const NODE_FIXABLE = new Set(['NODE_MISSING', 'NODE_TOO_OLD']);

/**
 * "Set up berthd" for an SSH host: what the host has (kernel, cgroups, overlayfs, Node.js, how
 * root is reached, the installed version), then install, upgrade or uninstall with the installer's
 * steps streamed. A sudo password goes with one run and is never stored.
 */
export function ProvisionDialog({ hostId, hostName, onClose }: { hostId: string; hostName: string; onClose: () => void }): ReactNode {
  const bridge = useBridge();
  const qc = useQueryClient();
  const confirm = useConfirm();
  const [target, setTarget] = useState<ProvisionTargetArgs>({});
  const [password, setPassword] = useState('');
  const [keepData, setKeepData] = useState(true);
  const [job, setJob] = useState<{ action: Action; steps: ProvisionProgressView[]; done: boolean; error?: unknown } | undefined>(undefined);
  const check = useQuery({
    queryKey: [...HOSTS_KEY, 'provision-check', hostId, target] as const,
    queryFn: (): Promise<ProvisionCheckView> => bridge.invoke('hosts:provisionCheck', { hostId, ...(Object.keys(target).length > 0 ? { target } : {}) }),
    retry: false,
  });
  const running = job !== undefined && !job.done;

  const stream = useRef<{ close: () => void } | undefined>(undefined);
  // Closing the dialog stops watching; the installer on the host runs to its end regardless.
  useEffect(() => () => stream.current?.close(), []);

  const start = async (action: Action): Promise<void> => {
    if (action === 'uninstall') {
      const ok = await confirm({
        kind: 'remove',
        title: `Uninstall berthd from ${hostName}?`,
        confirmLabel: 'Uninstall',
        danger: true,
        body: keepData ? 'Containers stop and berthd is removed; images, containers and volumes stay in the data root.' : 'Containers, images and volumes on this host are deleted with berthd.',
      });
      if (!ok) return;
    }
    setJob({ action, steps: [], done: false });
    const args: ProvisionArgs = {
      hostId,
      action,
      ...(Object.keys(target).length > 0 ? { target } : {}),
      ...(password !== '' ? { sudoPassword: password } : {}),
      ...(action === 'uninstall' ? { keepData } : {}),
    };
    stream.current = bridge.open('hosts:provision', args, {
      onEvent: (e) => setJob((j) => (j ? { ...j, steps: [...j.steps, e] } : j)),
      onEnd: (err?: unknown) => {
        setJob((j) => (j ? { ...j, done: true, ...(err ? { error: err } : {}) } : j));
        void qc.invalidateQueries({ queryKey: HOSTS_KEY });
      },
    });
  };

  const c = check.data;
  const blocking = c?.problems.filter((p) => !NODE_FIXABLE.has(p.code)) ?? [];
  const nodeProblem = c?.problems.find((p) => NODE_FIXABLE.has(p.code));
  const needsPassword = c?.privilege === 'sudo-password' && password === '';
  const canAct = c !== undefined && !running && !check.isFetching && c.privilege !== 'none' && !needsPassword;
  // After a run, the actions wait for "Check again": the old check no longer describes the host.
  const actionable = job === undefined || job.error !== undefined ? c : undefined;
  const field = (key: 'prefix' | 'dataRoot' | 'config', label: string, placeholder: string): ReactNode => (
    <label className="field">
      <span>{label}</span>
      <input
        value={target[key] ?? ''}
        placeholder={placeholder}
        disabled={running}
        onChange={(e) => setTarget(({ [key]: _old, ...rest }) => (e.target.value === '' ? rest : { ...rest, [key]: e.target.value }))}
      />
    </label>
  );

  return (
    <Dialog
      title={`Set up berthd on ${hostName}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{running ? 'Hide' : 'Close'}</Button>
          {actionable?.installed !== undefined ? (
            <Button variant="danger" disabled={!canAct} onClick={() => void start('uninstall')}>
              Uninstall
            </Button>
          ) : null}
          {actionable?.installed !== undefined && actionable.installed !== actionable.appVersion ? (
            <Button variant="primary" disabled={!canAct} onClick={() => void start('upgrade')}>
              Upgrade to {actionable.appVersion}
            </Button>
          ) : null}
          {actionable !== undefined && actionable.installed === undefined ? (
            <Button variant="primary" disabled={!canAct || actionable.problems.length > 0} onClick={() => void start('install')}>
              Install berthd {actionable.appVersion}
            </Button>
          ) : null}
        </>
      }
    >
      {check.isPending ? <Loading label="Checking the host over SSH…" /> : null}
      <InlineError error={check.error} />
      {c ? (
        <dl className="facts" aria-label="Host check">
          <dt>Kernel</dt>
          <dd>
            {c.kernel} ({c.arch})
          </dd>
          <dt>cgroups</dt>
          <dd>{c.cgroup === 'none' ? 'none' : `v${c.cgroup}: ${c.controllers.join(', ')}`}</dd>
          <dt>overlayfs</dt>
          <dd>{c.overlay ? 'yes' : 'no'}</dd>
          <dt>Node.js</dt>
          <dd>{c.node ?? 'not installed'}</dd>
          <dt>Service manager</dt>
          <dd>{c.systemd ? 'systemd' : "Berth's own supervisor"}</dd>
          <dt>Root access</dt>
          <dd>{PRIVILEGE[c.privilege]}</dd>
          <dt>berthd</dt>
          <dd>{c.installed !== undefined ? `${c.installed} installed${c.installed === c.appVersion ? ' (current)' : ` (this app: ${c.appVersion})`}` : 'not installed'}</dd>
        </dl>
      ) : null}
      {blocking.length > 0 ? (
        <ul role="alert" className="problems">
          {blocking.map((p) => (
            <li key={p.code}>{p.message}</li>
          ))}
        </ul>
      ) : null}
      {nodeProblem ? (
        <div role="alert" className="problems">
          <p>{nodeProblem.message}</p>
          {c?.packageManager !== undefined ? (
            <Button disabled={!canAct} onClick={() => void start('install-node')}>
              Install Node.js with {c.packageManager}
            </Button>
          ) : (
            <p className="hint">Install Node.js 20 or newer on the host, then check again.</p>
          )}
        </div>
      ) : null}
      {c?.privilege === 'sudo-password' ? (
        <label className="field">
          <span>sudo password on {hostName}</span>
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" disabled={running} />
          <span className="hint">Used for this run only; Berth never stores it.</span>
        </label>
      ) : null}
      <details>
        <summary>Install location</summary>
        {field('prefix', 'Install prefix', '/opt/berth')}
        {field('dataRoot', 'Data root', '/var/lib/berth')}
        {field('config', 'daemon.json', '/etc/berth/daemon.json')}
        <label className="check">
          <input type="checkbox" checked={target.noSystemd === true} disabled={running} onChange={(e) => setTarget(({ noSystemd: _n, ...rest }) => (e.target.checked ? { ...rest, noSystemd: true } : rest))} /> Use
          Berth&apos;s own supervisor even where systemd runs
        </label>
        {c?.installed !== undefined ? (
          <label className="check">
            <input type="checkbox" checked={keepData} onChange={(e) => setKeepData(e.target.checked)} disabled={running} /> Keep images, containers and volumes when uninstalling
          </label>
        ) : null}
      </details>
      {job ? (
        <ol className="machine-steps" aria-label="Progress" aria-live="polite">
          {job.steps.map((s, i) => (
            <li key={i} data-step={s.step}>
              <span>{s.step}</span> <span className="hint">{(s.elapsedMs / 1000).toFixed(1)} s</span>
            </li>
          ))}
        </ol>
      ) : null}
      {job?.done && !job.error ? (
        <p role="status">
          {job.action === 'uninstall' ? 'berthd was removed.' : job.action === 'install-node' ? 'Node.js is installed.' : `berthd ${job.steps.at(-1)?.done?.version ?? ''} is running; the host is connected.`}{' '}
          <Button
            onClick={() => {
              setJob(undefined);
              void check.refetch();
            }}
          >
            Check again
          </Button>
        </p>
      ) : null}
      {job?.error ? <InlineError error={job.error} /> : null}
    </Dialog>
  );
}
