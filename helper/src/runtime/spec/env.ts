import { DEFAULT_PATH_ENV } from './defaults';

const keyOf = (entry: string): string => {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
};

/**
 * The final environment of a container's or exec's process: the engine's merged list plus the
 * defaults dockerd adds only when absent: PATH, HOSTNAME (container init only, first like
 * dockerd), TERM=xterm with a tty, HOME from the passwd entry (runc), else "/".
 * Later duplicates win, as with dockerd's ReplaceOrAppendEnvValues.
 */
export function buildEnv(env: readonly string[], opts: { hostname?: string; tty: boolean; home?: string }): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  const put = (entry: string): void => {
    const key = keyOf(entry);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push(entry);
    } else {
      out[at] = entry;
    }
  };
  if (opts.hostname !== undefined) put(`HOSTNAME=${opts.hostname}`);
  for (const e of env) if (e.includes('=')) put(e);
  if (!index.has('PATH')) put(DEFAULT_PATH_ENV);
  if (opts.tty && !index.has('TERM')) put('TERM=xterm');
  if (!index.has('HOME')) put(`HOME=${opts.home ?? '/'}`);
  return out;
}

/** The PATH a process will search for argv[0] (its env's, else dockerd's default). */
export function pathOf(env: readonly string[]): string {
  const entry = env.find((e) => e.startsWith('PATH='));
  return (entry ?? DEFAULT_PATH_ENV).slice('PATH='.length);
}
