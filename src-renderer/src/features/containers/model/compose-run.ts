import type { ComposeServiceState, ComposeUpProgressView } from '../../../../../src-shared/ipc/models/compose';
import type { BadgeTone } from '../../../components/badge';

/**
 * "Run compose file" dialog model: the default project name and the form's errors, and how each
 * service state is shown. Pure; the dialog only renders what these return.
 */

/**
 * The project name compose uses when none is given: the file's directory name, lowercased, with
 * everything but letters, digits, `-` and `_` dropped (compose v1 and v2 agree), and (v2) no
 * leading `-` or `_`.
 */
export function defaultProjectName(file: string): string {
  const parts = file.trim().split(/[\\/]+/).filter((p) => p !== '');
  const dir = parts.length >= 2 ? (parts[parts.length - 2] ?? '') : '';
  return dir.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[-_]+/, '');
}

export interface ComposeForm {
  file: string;
  project: string;
}

export function composeFormErrors(f: ComposeForm): { file?: string; project?: string } {
  const file = f.file.trim();
  return {
    ...(file === '' ? { file: 'Give the path of a compose file' } : !file.startsWith('/') ? { file: 'Give the absolute path, e.g. /home/me/app/compose.yaml' } : {}),
    ...(f.project === ''
      ? { project: 'Give a project name' }
      : !/^[a-z0-9][a-z0-9_-]*$/.test(f.project)
        ? { project: 'Lowercase letters, digits, - and _, starting with a letter or digit' }
        : {}),
  };
}

export const SERVICE_STATE: Record<ComposeServiceState, { label: string; tone: BadgeTone }> = {
  waiting: { label: 'waiting', tone: 'muted' },
  pulling: { label: 'pulling', tone: 'info' },
  building: { label: 'building', tone: 'info' },
  creating: { label: 'creating', tone: 'info' },
  started: { label: 'started', tone: 'ok' },
  error: { label: 'error', tone: 'danger' },
};

/** What the dialog keeps of a run: the latest states and all output (capped, oldest dropped). */
export interface ComposeRunState {
  client?: string;
  services: ComposeUpProgressView['services'];
  lines: string[];
  done: boolean;
}

const MAX_LINES = 2000;

export function applyComposeEvent(s: ComposeRunState, e: ComposeUpProgressView): ComposeRunState {
  const lines = e.lines.length === 0 ? s.lines : [...s.lines, ...e.lines].slice(-MAX_LINES);
  return { ...s, ...(e.client ? { client: e.client } : {}), services: e.services, lines, done: s.done || e.done !== undefined };
}
