import type { ReactNode } from 'react';
import type { ShellFormWarningView } from '../lib/shell-form';

/** The PID 1 explanation for shell-form commands, shown on images and containers. */
export function Pid1Warning({ warning, action }: { warning: ShellFormWarningView; action?: ReactNode }): ReactNode {
  return (
    <div className="warning-box" role="note" data-testid="pid1-warning">
      <strong>{warning.title}</strong>
      <p>{warning.detail}</p>
      <p>{warning.why}</p>
      <p>
        <em>Fix:</em> {warning.fix}
      </p>
      {action ? <div className="warning-actions">{action}</div> : null}
    </div>
  );
}
