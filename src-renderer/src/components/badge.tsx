import type { ReactNode } from 'react';

export type BadgeTone = 'ok' | 'warn' | 'danger' | 'muted' | 'info';

export function Badge({ tone, children, title }: { tone: BadgeTone; children: ReactNode; title?: string }): ReactNode {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}
