import type { BuildArgs } from '../../../../../src-shared/ipc/models/builds';

export interface BuildForm {
  contextPath: string;
  dockerfile: string;
  /** Comma- or space-separated `name:tag`s. */
  tags: string;
  /** One `KEY=value` per line. */
  buildArgs: string;
  target: string;
  noCache: boolean;
  pull: boolean;
}

export const EMPTY_BUILD_FORM: BuildForm = { contextPath: '', dockerfile: 'Dockerfile', tags: '', buildArgs: '', target: '', noCache: false, pull: false };

/** The form as build arguments, or the first thing wrong with it (said next to the field). */
export function toBuildArgs(hostId: string, f: BuildForm): { args: BuildArgs } | { error: { field: keyof BuildForm; message: string } } {
  const contextPath = f.contextPath.trim();
  if (!contextPath.startsWith('/')) return { error: { field: 'contextPath', message: 'An absolute folder path, e.g. /home/me/project' } };
  const buildArgs: Record<string, string> = {};
  for (const line of f.buildArgs.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) return { error: { field: 'buildArgs', message: `Not KEY=value: ${line}` } };
    buildArgs[m[1]!] = m[2]!;
  }
  const tags = f.tags.split(/[\s,]+/).filter(Boolean);
  const bad = tags.find((t) => !/^[a-z0-9][a-z0-9._\-/:@]*$/.test(t));
  if (bad !== undefined) return { error: { field: 'tags', message: `Not an image reference: ${bad}` } };
  return {
    args: {
      hostId,
      contextPath,
      ...(f.dockerfile.trim() !== '' ? { dockerfile: f.dockerfile.trim() } : {}),
      ...(tags.length > 0 ? { tags } : {}),
      ...(Object.keys(buildArgs).length > 0 ? { buildArgs } : {}),
      ...(f.target.trim() !== '' ? { target: f.target.trim() } : {}),
      ...(f.noCache ? { noCache: true } : {}),
      ...(f.pull ? { pull: true } : {}),
    },
  };
}
