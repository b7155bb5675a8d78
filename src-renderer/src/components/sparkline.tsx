import type { ReactNode } from 'react';

/** A tiny line chart of the last samples; `max` fixes the scale (e.g. 100 for percentages). */
export function Sparkline({ values, max, label }: { values: readonly number[]; max?: number; label: string }): ReactNode {
  const width = 160;
  const height = 36;
  const top = Math.max(max ?? 0, ...values, 1);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / top) * height).toFixed(1)}`).join(' ');
  return (
    <svg width={width} height={height} role="img" aria-label={label} className="sparkline">
      <polyline points={points} fill="none" stroke="var(--accent)" strokeWidth="1.5" />
    </svg>
  );
}
