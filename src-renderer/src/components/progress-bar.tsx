import type { ReactNode } from 'react';

/** A determinate bar when `fraction` is known, else an indeterminate (animated) one. */
export function ProgressBar({ fraction, label, tone }: { fraction: number | null; label: string; tone?: 'danger' | 'muted' }): ReactNode {
  const pct = fraction === null ? undefined : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  const cls = ['progress', pct === undefined ? 'indeterminate' : '', tone ? `progress-${tone}` : ''].filter(Boolean).join(' ');
  return (
    <div className={cls} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div className="progress-fill" style={{ width: pct === undefined ? '30%' : `${pct}%` }} />
    </div>
  );
}
