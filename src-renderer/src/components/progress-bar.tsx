import type { ReactNode } from 'react';

/** A determinate bar when `fraction` is known, else an indeterminate one. */
export function ProgressBar({ fraction, label }: { fraction: number | null; label: string }): ReactNode {
  const pct = fraction === null ? undefined : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div
      className={pct === undefined ? 'progress indeterminate' : 'progress'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="progress-fill" style={{ width: pct === undefined ? '30%' : `${pct}%` }} />
    </div>
  );
}
