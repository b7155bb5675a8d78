import { mirrorUrlProblem } from '../../../../../src-shared/docker-api/berth-config';
import { findJsonError } from '../../../../../src-shared/json/json-error-position';
import type { MirrorsValidationView } from '../../../../../src-shared/ipc/models/mirrors';

/**
 * The mirrors screen edits one draft: the daemon.json text. The list editor is a view of its
 * `registry-mirrors` key and writes back into the text, so the two can never disagree. Other
 * keys of the file are kept as they are.
 */

export type DraftParse =
  | { ok: true; mirrors: string[]; mirrorsProblem: string | null }
  | { ok: false; message: string; line: number | null; column: number | null };

const KEY = 'registry-mirrors';

export function parseDraft(raw: string): DraftParse {
  let value: unknown;
  try {
    value = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = findJsonError(raw)?.position;
    return { ok: false, message: `Invalid JSON: ${message}`, line: at?.line ?? null, column: at?.column ?? null };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'daemon.json must be a JSON object ({ … }).', line: 1, column: 1 };
  }
  const list = (value as Record<string, unknown>)[KEY];
  if (list === undefined) return { ok: true, mirrors: [], mirrorsProblem: null };
  if (!Array.isArray(list) || !list.every((m) => typeof m === 'string')) {
    return { ok: true, mirrors: [], mirrorsProblem: `"${KEY}" must be a list of URL strings.` };
  }
  return { ok: true, mirrors: list as string[], mirrorsProblem: null };
}

/** Writes `mirrors` into the draft's `registry-mirrors`, keeping every other key. Needs a parseable draft. */
export function withMirrors(raw: string, mirrors: readonly string[]): string {
  const value = (raw.trim() === '' ? {} : JSON.parse(raw)) as Record<string, unknown>;
  const next: Record<string, unknown> = {};
  let placed = false;
  for (const [k, v] of Object.entries(value)) {
    if (k === KEY) {
      placed = true;
      if (mirrors.length > 0) next[k] = [...mirrors];
    } else next[k] = v;
  }
  if (!placed && mirrors.length > 0) next[KEY] = [...mirrors];
  return `${JSON.stringify(next, null, 2)}\n`;
}

/** Per-entry problems found without asking the daemon (same rules as berthd). */
export function entryProblems(mirrors: readonly string[]): (string | null)[] {
  const seen = new Map<string, number>();
  return mirrors.map((m, i) => {
    const trimmed = m.trim();
    if (trimmed === '') return 'Enter a mirror URL, or remove this row.';
    const problem = mirrorUrlProblem(trimmed);
    if (problem) return `"${trimmed}" ${problem}`;
    const norm = new URL(trimmed).origin;
    const first = seen.get(norm);
    if (first !== undefined) return `Duplicate of mirror ${first + 1}.`;
    seen.set(norm, i);
    return null;
  });
}

export function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

export interface ServerProblems {
  /** Messages keyed by registry-mirrors index. */
  byIndex: Map<number, string>;
  /** What cannot be tied to an entry (JSON syntax, other keys). */
  general: string | null;
}

/** Ties the daemon's validation answer to list entries where it names one (`registry-mirrors[1]`). */
export function serverProblems(v: MirrorsValidationView | undefined): ServerProblems {
  const byIndex = new Map<number, string>();
  if (!v || v.valid) return { byIndex, general: null };
  for (const e of v.entryErrors) if (e.list === 'registryMirrors' && e.index >= 0) byIndex.set(e.index, e.message);
  const m = v.key ? /^registry-mirrors\[(\d+)\]$/.exec(v.key) : null;
  if (m && v.message && !byIndex.has(Number(m[1]))) byIndex.set(Number(m[1]), v.message);
  let general: string | null = null;
  if (!m && v.message) {
    general = v.position && !/\bline \d+/i.test(v.message) ? `Line ${v.position.line}, column ${v.position.column}: ${v.message}` : v.message;
  }
  if (!general && byIndex.size === 0) {
    const other = v.entryErrors[0];
    general = other ? `${other.list}${other.index >= 0 ? `[${other.index}]` : ''}: ${other.message}` : (v.message ?? 'The daemon refused this configuration.');
  }
  return { byIndex, general };
}
