import type { ReactNode } from 'react';

export function KeyValueList({ items, label }: { items: readonly { key: string; value: string }[]; label?: string }): ReactNode {
  return (
    <dl className="kv" aria-label={label}>
      {items.map((kv) => (
        <div key={kv.key} style={{ display: 'contents' }}>
          <dt>{kv.key}</dt>
          <dd className={kv.value.startsWith('/') ? 'mono' : undefined}>{kv.value}</dd>
        </div>
      ))}
    </dl>
  );
}
