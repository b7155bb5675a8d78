import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { MachineCreateArgs, MachineProgressView, MachineView } from '../../../../../src-shared/ipc/models/machines';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { InlineError } from '../../../components/state-views';
import { useBridge } from '../../../lib/bridge-context';
import { MACHINES_KEY } from '../api/machine-queries';
import { HOSTS_KEY } from '../../../lib/query-keys';

export type MachineJob = { kind: 'create'; args: MachineCreateArgs } | { kind: 'start'; name: string };

/**
 * Streams the steps of creating or starting a machine (boot, berthd install, connect) with the
 * time each took. Closing the dialog does not stop the machine; it only stops watching.
 */
export function MachineProgressDialog({ job, onClose, onReady }: { job: MachineJob; onClose: () => void; onReady: (m: MachineView) => void }): ReactNode {
  const bridge = useBridge();
  const qc = useQueryClient();
  const [steps, setSteps] = useState<MachineProgressView[]>([]);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<MachineView | undefined>(undefined);
  const ready = useRef(onReady);
  ready.current = onReady;

  useEffect(() => {
    const handlers = {
      onEvent: (e: MachineProgressView) => {
        setSteps((s) => [...s, e]);
        if (e.done) {
          setDone(e.done);
          ready.current(e.done);
        }
      },
      onEnd: (err?: unknown) => {
        if (err) setError(err);
        void qc.invalidateQueries({ queryKey: MACHINES_KEY });
        // Starting a machine adds or connects its host entry.
        void qc.invalidateQueries({ queryKey: HOSTS_KEY });
      },
    };
    const h = job.kind === 'create' ? bridge.open('machines:create', job.args, handlers) : bridge.open('machines:start', { name: job.name }, handlers);
    return () => h.close();
  }, [bridge, job, qc]);

  const name = job.kind === 'create' ? job.args.name : job.name;
  const title = `${job.kind === 'create' ? 'Creating' : 'Starting'} machine ${name}`;
  return (
    <Dialog
      title={title}
      onClose={onClose}
      footer={<Button onClick={onClose}>{done || error ? 'Close' : 'Hide'}</Button>}
    >
      <ol className="machine-steps" aria-label="Progress" aria-live="polite">
        {steps.map((s, i) => (
          <li key={i} data-step={s.step}>
            <span>{s.step}</span> <span className="hint">{(s.elapsedMs / 1000).toFixed(1)} s</span>
          </li>
        ))}
      </ol>
      {!done && !error ? <p className="hint">This takes a minute or two on the first start; without hardware virtualisation (TCG) it is slower.</p> : null}
      {done ? <p role="status">Machine {done.name} is running. Its containers are on the host “machine {done.name}”.</p> : null}
      {error ? <InlineError error={error} /> : null}
    </Dialog>
  );
}
