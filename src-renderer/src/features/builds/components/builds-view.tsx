import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Hammer, Square } from 'lucide-react';
import type { BuildProgressView, BuildRecordView } from '../../../../../src-shared/ipc/models/builds';
import { Badge } from '../../../components/badge';
import { Button } from '../../../components/button';
import { ProgressBar } from '../../../components/progress-bar';
import { InlineError } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { useBridge } from '../../../lib/bridge-context';
import { hrefFor } from '../../../lib/navigation';
import { hostScope } from '../../../lib/query-keys';
import { EMPTY_BUILD_FORM, toBuildArgs, type BuildForm } from '../model/build-form';

/** Output kept on screen; a long build's start scrolls away. */
const MAX_LINES = 5000;

interface RunState {
  lines: string[];
  step?: BuildProgressView['step'];
  done?: BuildRecordView;
  error?: unknown;
  running: boolean;
}

const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);
const seconds = (ms: number | undefined): string => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);

/**
 * Build an image from a folder of this machine on the active host (the classic builder, as
 * `DOCKER_BUILDKIT=0 docker build`): the steps stream as they run, the result can be run at once,
 * and this session's builds are listed below.
 */
export function BuildsView(): ReactNode {
  const { hostId } = useActiveHost();
  const bridge = useBridge();
  const qc = useQueryClient();
  const historyKey = [...hostScope(hostId), 'builds'] as const;
  const history = useQuery({ queryKey: historyKey, queryFn: (): Promise<BuildRecordView[]> => bridge.invoke('builds:list', { hostId }) });
  const [form, setForm] = useState<BuildForm>(EMPTY_BUILD_FORM);
  const [fieldError, setFieldError] = useState<{ field: keyof BuildForm; message: string } | undefined>(undefined);
  const [run, setRun] = useState<RunState | undefined>(undefined);
  const stream = useRef<{ close: () => void } | undefined>(undefined);
  const log = useRef<HTMLPreElement>(null);
  useEffect(() => () => stream.current?.close(), []);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [run?.lines.length]);

  const set = <K extends keyof BuildForm>(k: K, v: BuildForm[K]): void => setForm((f) => ({ ...f, [k]: v }));
  const start = (e: FormEvent): void => {
    e.preventDefault();
    const parsed = toBuildArgs(hostId, form);
    if ('error' in parsed) {
      setFieldError(parsed.error);
      return;
    }
    setFieldError(undefined);
    setRun({ lines: [], running: true });
    stream.current = bridge.open('images:build', parsed.args, {
      onEvent: (ev) =>
        setRun((r) => {
          if (!r) return r;
          const lines = ev.lines ? [...r.lines, ...ev.lines].slice(-MAX_LINES) : r.lines;
          return { ...r, lines, ...(ev.step ? { step: ev.step } : {}), ...(ev.done ? { done: ev.done } : {}) };
        }),
      onEnd: (err?: unknown) => {
        setRun((r) => (r ? { ...r, running: false, ...(err ? { error: err } : {}) } : r));
        stream.current = undefined;
        void qc.invalidateQueries({ queryKey: hostScope(hostId) });
      },
    });
  };
  const cancel = (): void => {
    stream.current?.close();
    stream.current = undefined;
    setRun((r) => (r ? { ...r, running: false, error: new Error('Build cancelled') } : r));
    void qc.invalidateQueries({ queryKey: historyKey });
  };
  const err = (k: keyof BuildForm): ReactNode => (fieldError?.field === k ? <div className="field-error">{fieldError.message}</div> : null);
  const result = run?.done;
  const runRef = result ? (result.tags[0] ?? result.imageId) : undefined;

  return (
    <section>
      <div className="view-header">
        <h1>Builds</h1>
        <span className="hint">A folder on this machine, built on the active host</span>
      </div>
      <form className="build-form" onSubmit={start} aria-label="New build">
        <label className="field">
          <span>Context folder</span>
          <input value={form.contextPath} onChange={(e) => set('contextPath', e.target.value)} placeholder="/home/me/project" disabled={run?.running} />
          {err('contextPath')}
        </label>
        <div className="field-row">
          <label className="field">
            <span>Dockerfile</span>
            <input value={form.dockerfile} onChange={(e) => set('dockerfile', e.target.value)} disabled={run?.running} />
          </label>
          <label className="field">
            <span>Tags</span>
            <input value={form.tags} onChange={(e) => set('tags', e.target.value)} placeholder="myapp:latest" disabled={run?.running} />
            {err('tags')}
          </label>
          <label className="field">
            <span>Target stage</span>
            <input value={form.target} onChange={(e) => set('target', e.target.value)} placeholder="last stage" disabled={run?.running} />
          </label>
        </div>
        <label className="field">
          <span>Build arguments (KEY=value per line)</span>
          <textarea rows={2} value={form.buildArgs} onChange={(e) => set('buildArgs', e.target.value)} disabled={run?.running} />
          {err('buildArgs')}
        </label>
        <div className="toolbar">
          <label className="check">
            <input type="checkbox" checked={form.noCache} onChange={(e) => set('noCache', e.target.checked)} disabled={run?.running} /> No cache
          </label>
          <label className="check">
            <input type="checkbox" checked={form.pull} onChange={(e) => set('pull', e.target.checked)} disabled={run?.running} /> Always pull base images
          </label>
          <div className="spacer" />
          {run?.running ? (
            <Button type="button" icon={Square} onClick={cancel}>
              Cancel
            </Button>
          ) : (
            <Button type="submit" variant="primary" icon={Hammer}>
              Build
            </Button>
          )}
        </div>
      </form>
      {run ? (
        <div className="build-run">
          {run.step ? <ProgressBar fraction={run.done ? 1 : (run.step.index - 1) / run.step.total} label={`Step ${run.step.index}/${run.step.total}: ${run.step.instruction}`} /> : null}
          <pre ref={log} className="logs build-log" role="log" aria-label="Build output">
            {run.lines.join('\n')}
          </pre>
          {result ? (
            <p role="status">
              Built {result.imageId ? shortId(result.imageId) : ''} in {seconds(result.durationMs)} ({result.cachedSteps} of {result.steps} steps from cache)
              {result.tags.length > 0 ? `, tagged ${result.tags.join(', ')}` : ''}.{' '}
              {runRef ? (
                <a className="link-button small" href={hrefFor('containers', 'new', runRef)}>
                  Run
                </a>
              ) : null}
            </p>
          ) : null}
          <InlineError error={run.error} />
        </div>
      ) : null}
      <h2>Recent builds</h2>
      {history.data && history.data.length > 0 ? (
        <table className="list" aria-label="Recent builds">
          <thead>
            <tr>
              <th>Tags</th>
              <th>Context</th>
              <th>State</th>
              <th>Image</th>
              <th>Time</th>
            </tr>
          </thead>
          <tbody>
            {history.data.map((b) => (
              <tr key={b.id} data-build-state={b.state}>
                <td>{b.tags.join(', ') || '(untagged)'}</td>
                <td className="mono">
                  {b.contextPath}
                  {b.dockerfile !== 'Dockerfile' ? ` (${b.dockerfile})` : ''}
                </td>
                <td>
                  <Badge tone={b.state === 'succeeded' ? 'ok' : b.state === 'running' ? 'info' : b.state === 'cancelled' ? 'muted' : 'danger'}>{b.state}</Badge>
                  {b.error ? <div className="hint">{b.error}</div> : null}
                </td>
                <td className="mono">{b.imageId ? shortId(b.imageId) : ''}</td>
                <td>{seconds(b.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="empty">No builds in this session yet.</p>
      )}
    </section>
  );
}
