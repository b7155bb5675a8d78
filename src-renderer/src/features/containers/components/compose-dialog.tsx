import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ErrorEnvelope } from '../../../../../src-shared/errors/error-kind';
import type { ComposeUpArgs } from '../../../../../src-shared/ipc/models/compose';
import { Badge } from '../../../components/badge';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { CheckboxField, TextField } from '../../../components/fields';
import { InlineError } from '../../../components/state-views';
import { hrefFor } from '../../../lib/navigation';
import { useStream } from '../../../lib/use-stream';
import { containersScope } from '../api/get-containers';
import { applyComposeEvent, composeFormErrors, defaultProjectName, SERVICE_STATE, type ComposeRunState } from '../model/compose-run';

const EMPTY: ComposeRunState = { services: [], lines: [], done: false };

/**
 * "Run compose file": the path of a compose file on this computer, a project name (the file's
 * folder by default, as compose does) and `--build`; then the stack comes up on the active host
 * through the compose client installed here, with each service's state and the client's output.
 * Cancel, or closing the dialog while it runs, interrupts the client (the stream closes with it).
 */
export function ComposeDialog({ hostId, onClose }: { hostId: string; onClose: () => void }): ReactNode {
  const qc = useQueryClient();
  const [file, setFile] = useState('');
  const [project, setProject] = useState('');
  const [projectEdited, setProjectEdited] = useState(false);
  const [build, setBuild] = useState(false);
  const [touched, setTouched] = useState(false);
  const [args, setArgs] = useState<ComposeUpArgs | null>(null);
  const [generation, setGeneration] = useState(0);
  const [run, setRun] = useState<ComposeRunState>(EMPTY);
  const [error, setError] = useState<ErrorEnvelope | undefined>(undefined);
  const [ranProject, setRanProject] = useState('');
  const running = args !== null;
  const output = useRef<HTMLPreElement>(null);

  useStream('compose:up', args, {
    onEvent: (e) => setRun((s) => applyComposeEvent(s, e)),
    onEnd: (err) => {
      setArgs(null);
      if (err) setError(err);
      // Engine events refresh the list too; this covers a host whose events lag behind.
      void qc.invalidateQueries({ queryKey: containersScope(hostId) });
    },
  }, generation);

  useEffect(() => {
    const el = output.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [run.lines.length]);

  const errors = composeFormErrors({ file, project });
  const valid = errors.file === undefined && errors.project === undefined;
  const start = (): void => {
    setTouched(true);
    if (!valid) return;
    setRun(EMPTY);
    setError(undefined);
    setGeneration((g) => g + 1);
    setRanProject(project);
    setArgs({ hostId, file: file.trim(), project, ...(build ? { build: true } : {}) });
  };
  const cancel = (): void => {
    setArgs(null);
    setError({ kind: 'Conflict', code: 'COMPOSE_CANCELLED', message: 'Cancelled: what the client had already created stays.' });
  };

  return (
    <Dialog
      title="Run compose file"
      wide
      onClose={onClose}
      description="Brings up a compose stack on the active host with the compose client installed on this computer."
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          {running ? (
            <Button variant="danger" onClick={cancel}>
              Cancel
            </Button>
          ) : (
            <Button variant="primary" disabled={touched && !valid} onClick={start}>
              {run.done || error ? 'Run again' : 'Run'}
            </Button>
          )}
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!running) start();
        }}
      >
        <TextField
          label="Compose file"
          placeholder="/home/me/app/compose.yaml"
          value={file}
          disabled={running}
          hint="Its absolute path on this computer; the file and its build folders are read here, whichever host runs the stack."
          error={touched ? errors.file : undefined}
          onChange={(e) => {
            setFile(e.target.value);
            if (!projectEdited) setProject(defaultProjectName(e.target.value));
          }}
        />
        <TextField
          label="Project name"
          value={project}
          disabled={running}
          hint="Names the stack and prefixes its containers; the file's folder by default."
          error={touched ? errors.project : undefined}
          onChange={(e) => {
            setProject(e.target.value);
            setProjectEdited(true);
          }}
        />
        <CheckboxField label="Build images before starting (--build)" checked={build} disabled={running} onCheckedChange={setBuild} />
      </form>
      {run.client ? <p className="hint">Using {run.client}</p> : null}
      {run.services.length > 0 ? (
        <ul className="machine-steps" aria-label="Services" aria-live="polite">
          {run.services.map((s) => (
            <li key={s.service} data-service={s.service} data-state={s.state}>
              <strong>{s.service}</strong> <Badge tone={SERVICE_STATE[s.state].tone}>{SERVICE_STATE[s.state].label}</Badge>
              {s.container ? <span className="hint"> {s.container}</span> : null}
              {s.message ? <div className="field-error">{s.message}</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {run.lines.length > 0 ? (
        <pre ref={output} className="logs compose-log" role="log" aria-label="Compose output">
          {run.lines.join('\n')}
        </pre>
      ) : null}
      {error ? <InlineError error={error} /> : null}
      {run.done && !error ? (
        <p role="status">
          The stack is up.{' '}
          <a href={hrefFor('containers', 'stack', ranProject)} onClick={onClose}>
            Open stack {ranProject}
          </a>
        </p>
      ) : null}
    </Dialog>
  );
}
