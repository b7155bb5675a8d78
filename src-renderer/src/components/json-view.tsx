import { useMemo, type ReactNode } from 'react';

export function JsonView({ value, label }: { value: unknown; label: string }): ReactNode {
  const text = useMemo(() => JSON.stringify(value, null, 2), [value]);
  return (
    <pre className="json-view" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}
