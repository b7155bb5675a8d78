import { useState, type ReactNode } from 'react';
import { ChevronDown, ChevronRight, Layers, Play, RotateCcw, ScrollText, Square, Trash2 } from 'lucide-react';
import { Badge } from '../../../components/badge';
import { Button, IconButton } from '../../../components/button';
import { ActionMenu } from '../../../components/menu';
import { hrefFor, navigate } from '../../../lib/navigation';
import type { StackAction } from '../api/stack-actions';
import { stackMatches, type StackView } from '../model/stack-model';
import { ContainerTable, type RowHandlers } from './container-table';

export interface StackListProps {
  stacks: readonly StackView[];
  filter: string;
  pendingIds: ReadonlySet<string>;
  /** Projects with a stack action in flight. */
  pendingStacks: ReadonlySet<string>;
  handlers: RowHandlers;
  onStackAction: (project: string, action: StackAction) => void;
  compact: boolean;
}

// Header + rows at the table's row height, so a stack's members show without an inner scrollbar.
const tableHeight = (rows: number): string => `${Math.min(rows, 12) * 49 + 42}px`;

function StackRow({ stack, filter, pending, open, onToggle, props }: { stack: StackView; filter: string; pending: boolean; open: boolean; onToggle: () => void; props: StackListProps }): ReactNode {
  const { project } = stack;
  const act = (a: StackAction) => () => props.onStackAction(project, a);
  // A filter that names the stack shows all of it; otherwise only the members that match.
  const memberFilter = project.toLowerCase().includes(filter.trim().toLowerCase()) ? '' : filter;
  return (
    <div className="stack" role="group" aria-label={`Stack ${project}`} data-stack={project} data-running={stack.running} data-total={stack.total}>
      <div className="stack-header">
        <IconButton size="sm" icon={open ? ChevronDown : ChevronRight} aria-expanded={open} label={`${open ? 'Collapse' : 'Expand'} stack ${project}`} onClick={onToggle} />
        <Layers size={16} aria-hidden="true" />
        <a href={hrefFor('containers', 'stack', project)} className="link-button stack-name">
          {project}
        </a>
        <Badge tone={pending ? 'warn' : stack.tone}>
          <span data-testid="stack-count">{stack.countLabel}</span>
        </Badge>
        <span className="hint truncate">{stack.services.join(', ')}</span>
        <div className="spacer" />
        {stack.canStop ? (
          <Button size="sm" icon={Square} busy={pending} onClick={act('stop')} aria-label={`Stop stack ${project}`}>
            Stop
          </Button>
        ) : (
          <Button size="sm" icon={Play} busy={pending} disabled={!stack.canStart} onClick={act('start')} aria-label={`Start stack ${project}`}>
            Start
          </Button>
        )}
        <Button size="sm" icon={ScrollText} onClick={() => navigate('containers', 'stack', project, 'logs')} aria-label={`Logs of stack ${project}`}>
          Logs
        </Button>
        <ActionMenu
          label={`More actions for stack ${project}`}
          items={[
            { label: 'Start all', icon: Play, onSelect: act('start'), disabled: pending || !stack.canStart },
            { label: 'Restart', icon: RotateCcw, onSelect: act('restart'), disabled: pending },
            { label: 'Remove stack', icon: Trash2, onSelect: act('remove'), danger: true, disabled: pending },
          ]}
        />
      </div>
      {open ? (
        <ContainerTable rows={stack.members} pendingIds={props.pendingIds} handlers={props.handlers} filter={memberFilter} compact={props.compact} maxHeight={tableHeight(stack.members.length)} />
      ) : null}
    </div>
  );
}

/**
 * The compose stacks of the containers list: one collapsible row per project (name, running/total,
 * stack-wide actions) over its members' table. Open by default: a stack is usually few containers.
 */
export function StackList(props: StackListProps): ReactNode {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const shown = props.stacks.filter((s) => stackMatches(s, props.filter));
  if (shown.length === 0) return null;
  const toggle = (p: string) => () => setCollapsed((c) => (c.has(p) ? new Set([...c].filter((x) => x !== p)) : new Set([...c, p])));
  return (
    <div className="stacks" data-testid="stacks">
      {shown.map((s) => (
        <StackRow key={s.project} stack={s} filter={props.filter} pending={props.pendingStacks.has(s.project)} open={!collapsed.has(s.project)} onToggle={toggle(s.project)} props={props} />
      ))}
    </div>
  );
}
