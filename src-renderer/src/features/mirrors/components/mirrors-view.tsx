import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { MirrorsConfigView, MirrorsValidationView } from '../../../../../src-shared/ipc/models/mirrors';
import { Badge } from '../../../components/badge';
import { EmptyState, InlineError, QueryView } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { useApplyMirrors } from '../api/apply-mirrors';
import { useMirrors } from '../api/get-mirrors';
import { useMirrorsHealth } from '../api/get-mirrors-health';
import { useValidateMirrors } from '../api/validate-mirrors';
import { toHealthRows } from '../model/health-mapper';
import { entryProblems, move, parseDraft, serverProblems, withMirrors } from '../model/mirrors-draft';

function HealthTable({ hostId }: { hostId: string }): ReactNode {
  const health = useMirrorsHealth(hostId);
  const rows = useMemo(() => (health.data ? toHealthRows(health.data) : []), [health.data]);
  return (
    <div>
      <div className="toolbar">
        <h2 style={{ margin: 0, fontSize: 17 }}>Health</h2>
        <div className="spacer" />
        {health.data ? <span className="hint">checked {new Date(health.data.checkedAt).toLocaleTimeString()}</span> : null}
        <button type="button" className="small" disabled={health.isFetching} onClick={() => void health.refetch()}>
          {health.isFetching ? 'Checking…' : 'Check now'}
        </button>
      </div>
      <QueryView query={health} loadingLabel="Probing mirrors…" isEmpty={(h) => h.mirrors.length === 0} empty={<EmptyState title="No mirrors configured" />}>
        {() => (
          <table className="list" aria-label="Mirror health">
            <thead>
              <tr>
                <th>Mirror</th>
                <th>For</th>
                <th>Reachable</th>
                <th style={{ textAlign: 'right' }}>Latency</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key} data-mirror={r.url}>
                  <td className="mono">{r.url}</td>
                  <td>{r.registry}</td>
                  <td>
                    <Badge tone={r.tone}>{r.reachableLabel}</Badge>
                  </td>
                  <td className="num">{r.latency}</td>
                  <td className="hint">{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </div>
  );
}

function Editor({ hostId, config }: { hostId: string; config: MirrorsConfigView }): ReactNode {
  const [draft, setDraft] = useState(config.raw);
  const [newMirror, setNewMirror] = useState('');
  const [verdict, setVerdict] = useState<MirrorsValidationView | undefined>(undefined);
  const [applied, setApplied] = useState(false);
  const validate = useValidateMirrors();
  const apply = useApplyMirrors();
  // A config applied elsewhere (or by us) becomes the new baseline when nothing is being edited.
  const baseline = useRef(config.raw);
  useEffect(() => {
    if (config.raw === baseline.current) return;
    setDraft((d) => (d === baseline.current ? config.raw : d));
    baseline.current = config.raw;
  }, [config.raw]);

  const parsed = parseDraft(draft);
  const mirrors = parsed.ok ? parsed.mirrors : [];
  const local = entryProblems(mirrors);
  const server = serverProblems(verdict);
  const dirty = draft !== config.raw;
  const listEditable = parsed.ok && parsed.mirrorsProblem === null;

  const edit = (next: string): void => {
    setDraft(next);
    setVerdict(undefined);
    setApplied(false);
  };
  const setMirrors = (list: string[]): void => edit(withMirrors(draft, list));

  const check = async (): Promise<MirrorsValidationView | undefined> => {
    const v = await validate.mutateAsync({ hostId, update: { raw: draft } }).catch(() => undefined);
    setVerdict(v);
    return v;
  };
  const onApply = async (): Promise<void> => {
    setApplied(false);
    // Refuse locally found problems at once; everything else is the daemon's call (it validates again on apply).
    const v = await check();
    if (!v || !v.valid || local.some((p) => p !== null)) return;
    await apply.mutateAsync({ hostId, update: { raw: draft } }).then(
      (cfg) => {
        setDraft(cfg.raw);
        setApplied(true);
      },
      () => undefined,
    );
  };

  return (
    <>
      <div className="two-col">
        <div>
          <h2 style={{ fontSize: 17 }}>Docker Hub mirrors</h2>
          <p className="hint">Tried in order for Docker Hub images; the first that answers serves the pull, and Docker Hub itself is the last resort.</p>
          {!listEditable ? (
            <div className="banner banner-warn">{parsed.ok ? parsed.mirrorsProblem : 'Fix the JSON on the right to edit the list.'}</div>
          ) : null}
          <ol style={{ paddingLeft: 20 }} aria-label="Mirror list">
            {mirrors.map((m, i) => {
              const problem = local[i] ?? server.byIndex.get(i) ?? null;
              return (
                <li key={i} data-testid="mirror-entry">
                  <div className="mirror-row">
                    <input
                      aria-label={`Mirror ${i + 1}`}
                      className="mono"
                      value={m}
                      disabled={!listEditable}
                      aria-invalid={problem !== null}
                      onChange={(e) => setMirrors(mirrors.map((x, j) => (j === i ? e.target.value : x)))}
                    />
                    <button type="button" className="small" aria-label={`Move mirror ${i + 1} up`} disabled={!listEditable || i === 0} onClick={() => setMirrors(move(mirrors, i, i - 1))}>
                      ↑
                    </button>
                    <button
                      type="button"
                      className="small"
                      aria-label={`Move mirror ${i + 1} down`}
                      disabled={!listEditable || i === mirrors.length - 1}
                      onClick={() => setMirrors(move(mirrors, i, i + 1))}
                    >
                      ↓
                    </button>
                    <button type="button" className="small danger" aria-label={`Remove mirror ${i + 1}`} disabled={!listEditable} onClick={() => setMirrors(mirrors.filter((_, j) => j !== i))}>
                      ×
                    </button>
                  </div>
                  {problem ? (
                    <div className="field-error" data-testid="mirror-error">
                      {problem}
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ol>
          {mirrors.length === 0 && listEditable ? <p className="empty">No mirrors: Docker Hub images are pulled from Docker Hub.</p> : null}
          <form
            className="mirror-row"
            onSubmit={(e) => {
              e.preventDefault();
              if (newMirror.trim() === '' || !listEditable) return;
              setMirrors([...mirrors, newMirror.trim()]);
              setNewMirror('');
            }}
          >
            <input aria-label="New mirror URL" className="mono" placeholder="https://mirror.example.com" value={newMirror} disabled={!listEditable} onChange={(e) => setNewMirror(e.target.value)} />
            <button type="submit" disabled={!listEditable || newMirror.trim() === ''}>
              Add mirror
            </button>
          </form>
        </div>
        <div>
          <h2 style={{ fontSize: 17 }}>daemon.json</h2>
          <textarea aria-label="daemon.json" rows={16} style={{ width: '100%' }} spellCheck={false} value={draft} onChange={(e) => edit(e.target.value)} />
          {!parsed.ok ? (
            <div className="field-error" data-testid="json-error">
              {parsed.line !== null ? `Line ${parsed.line}, column ${parsed.column}: ` : ''}
              {parsed.message}
            </div>
          ) : null}
        </div>
      </div>
      <div className="toolbar" style={{ marginTop: 12 }}>
        <button type="button" disabled={validate.isPending} onClick={() => void check()}>
          Validate
        </button>
        <button type="button" className="primary" disabled={!dirty || apply.isPending || validate.isPending} onClick={() => void onApply()}>
          {apply.isPending ? 'Applying…' : 'Apply'}
        </button>
        <button type="button" disabled={!dirty} onClick={() => edit(config.raw)}>
          Revert
        </button>
        {dirty ? <span className="hint">Unapplied changes</span> : null}
      </div>
      <div aria-live="polite">
        {verdict && !verdict.valid ? (
          <div className="banner banner-danger" role="alert" data-testid="mirrors-refused">
            Not applied — the configuration in force is unchanged. {server.general ?? 'Fix the marked entries.'}
          </div>
        ) : null}
        {verdict?.valid && !applied ? <div className="banner banner-info">Valid.</div> : null}
        {verdict?.warnings.map((w) => (
          <div key={w} className="banner banner-warn">
            {w}
          </div>
        ))}
        {applied ? (
          <div className="banner banner-info" role="status" data-testid="mirrors-applied">
            Applied. Running containers were not restarted; the next pull uses the new mirrors.
          </div>
        ) : null}
        <InlineError error={validate.error ?? apply.error} />
      </div>
    </>
  );
}

export function MirrorsView(): ReactNode {
  const { hostId } = useActiveHost();
  const query = useMirrors(hostId);
  return (
    <section>
      <div className="view-header">
        <h1>Mirrors</h1>
      </div>
      <QueryView query={query} loadingLabel="Loading the daemon configuration…">
        {(config) =>
          config.supported ? (
            <>
              <Editor key={hostId} hostId={hostId} config={config} />
              <div style={{ height: 24 }} />
              <HealthTable hostId={hostId} />
            </>
          ) : (
            <EmptyState title="This daemon does not let Berth edit its configuration">
              Mirrors in force: {config.registryMirrors.join(', ') || 'none'}. Edit its daemon.json on the host and restart it.
            </EmptyState>
          )
        }
      </QueryView>
    </section>
  );
}
