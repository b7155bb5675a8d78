import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { describeError } from '../lib/describe-error';

export function Loading({ label = 'Loading…' }: { label?: string }): ReactNode {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }): ReactNode {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <strong>{title}</strong>
      {children ? <div className="state-detail">{children}</div> : null}
    </div>
  );
}

/**
 * An error with a way out. A daemon that is down is the common case: it gets its own wording
 * and a Retry, never a blank view.
 */
export function ErrorState({ error, onRetry, retrying }: { error: unknown; onRetry?: () => void; retrying?: boolean }): ReactNode {
  const d = describeError(error);
  return (
    <div className="state state-error" role="alert" data-error-kind={d.kind}>
      <strong>{d.title}</strong>
      <div className="state-detail">{d.message}</div>
      {d.hint ? <div className="state-hint">{d.hint}</div> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry} disabled={retrying}>
          {retrying ? 'Retrying…' : 'Retry'}
        </button>
      ) : null}
    </div>
  );
}

/** Loading, error and empty states around a query, so no view forgets one. */
export function QueryView<T>({
  query,
  isEmpty,
  empty,
  loadingLabel,
  children,
}: {
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}): ReactNode {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError && query.data === undefined) {
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }
  const data = query.data as T;
  return (
    <>
      {query.isError ? <ErrorState error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} /> : null}
      {isEmpty?.(data) ? empty : children(data)}
    </>
  );
}

/** Inline error under a form or action, without a retry. */
export function InlineError({ error }: { error: unknown }): ReactNode {
  if (!error) return null;
  const d = describeError(error);
  return (
    <div className="inline-error" role="alert">
      {d.message}
    </div>
  );
}
