import { useState, type ReactNode } from 'react';
import { Dialog } from '../../../components/dialog';

/** Asks for the stop timeout: how long SIGTERM gets before SIGKILL. */
export function StopDialog({ name, onStop, onClose }: { name: string; onStop: (timeoutSeconds: number) => void; onClose: () => void }): ReactNode {
  const [timeout, setTimeoutText] = useState('10');
  const seconds = Number(timeout);
  const valid = /^\d+$/.test(timeout.trim()) && seconds >= 0 && seconds <= 3600;
  return (
    <Dialog
      title={`Stop ${name}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="stop-form" className="primary" disabled={!valid}>
            Stop
          </button>
        </>
      }
    >
      <form
        id="stop-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onStop(seconds);
        }}
      >
        <label className="field">
          <span>Timeout (seconds) before SIGKILL</span>
          <input value={timeout} onChange={(e) => setTimeoutText(e.target.value)} inputMode="numeric" aria-label="Stop timeout" />
          {!valid ? <div className="field-error">A whole number of seconds from 0 to 3600.</div> : null}
        </label>
        <p className="hint">
          PID 1 gets SIGTERM (or the image’s stop signal) and this long to exit. A shell-form command ignores it and always waits the whole timeout.
        </p>
      </form>
    </Dialog>
  );
}
