/**
 * dockerd's mount rules for a new container, as pure functions: `-v` strings (HostConfig.Binds)
 * to mounts, and the merge of volumes-from, Binds, Mounts and anonymous volume paths into one list
 * keyed by destination (moby daemon/volumes.go `registerMountPoints`).
 */
import { posix } from 'node:path';
import { invalidArgument } from '../../lib/errors';
import type { BindMount } from '../../store/containers/container-record';

const COPY_MODES = new Set(['nocopy']);
const LABEL_MODES = new Set(['z', 'Z']);
const PROPAGATION = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);

const invalidSpec = (spec: string, why?: string): Error =>
  invalidArgument('INVALID_BIND', `invalid volume specification: '${spec}'${why ? `: ${why}` : ''}`);

/** A container path as dockerd compares them: cleaned, no trailing slash. */
export function cleanDestination(p: string): string {
  return posix.normalize(p).replace(/(.)\/+$/, '$1');
}

/** One `-v` entry: `/host:/ctr[:mode]` (bind), `name:/ctr[:mode]` (named volume), `/ctr` (anonymous volume). */
export function parseBind(spec: string): BindMount {
  const parts = spec.split(':');
  if (parts.length === 1) {
    const destination = parts[0] ?? '';
    checkDestination(spec, destination, 'volume');
    return { type: 'volume', source: '', destination: cleanDestination(destination), readOnly: false, mode: '', anonymous: true };
  }
  if (parts.length > 3) throw invalidSpec(spec);
  const [source = '', destination = '', mode = ''] = parts;
  if (source === '') throw invalidSpec(spec);
  const isBind = source.startsWith('/');
  checkDestination(spec, destination, isBind ? 'bind' : 'volume');
  const flags = mode.split(',').filter((m) => m !== '');
  let rw = 0;
  for (const fl of flags) {
    if (fl === 'ro' || fl === 'rw') rw++;
    else if (!COPY_MODES.has(fl) && !LABEL_MODES.has(fl) && !PROPAGATION.has(fl)) throw invalidArgument('INVALID_BIND', `invalid mode: ${fl}`);
  }
  if (rw > 1 || flags.filter((f) => COPY_MODES.has(f)).length > 1) throw invalidArgument('INVALID_BIND', `invalid mode: ${mode}`);
  const readOnly = flags.includes('ro');
  if (isBind) return { type: 'bind', source, destination: cleanDestination(destination), readOnly, mode };
  return {
    type: 'volume',
    source: '',
    name: source,
    destination: cleanDestination(destination),
    readOnly,
    // dockerd shows "z" for a named volume given without a mode.
    mode: mode === '' ? 'z' : mode,
    noCopy: flags.includes('nocopy'),
  };
}

function checkDestination(spec: string, destination: string, type: 'bind' | 'volume'): void {
  if (destination === '') throw invalidSpec(spec);
  if (!destination.startsWith('/')) {
    throw invalidSpec(spec, `invalid mount config for type "${type}": invalid mount path: '${destination}' mount path must be absolute`);
  }
  if (cleanDestination(destination) === '/') throw invalidSpec(spec, `invalid mount config for type "${type}": invalid specification: destination can't be '/'`);
}

/** Checks a posted HostConfig.Mounts entry of type volume (moby volume/mounts `validateMountConfig`). */
export function checkVolumeMount(m: BindMount): void {
  if (m.destination === '') throw invalidArgument('INVALID_MOUNT', 'invalid mount config for type "volume": field Target must not be empty');
  if (!m.destination.startsWith('/')) {
    throw invalidArgument('INVALID_MOUNT', `invalid mount config for type "volume": invalid mount path: '${m.destination}' mount path must be absolute`);
  }
  if (m.name !== undefined && m.name.startsWith('/')) {
    throw invalidArgument('INVALID_MOUNT', `invalid mount config for type "volume": invalid volume name "${m.name}": a volume name cannot be a path; use type "bind" for a host path`);
  }
}

export interface MountSources {
  volumesFrom: { mounts: BindMount[]; mode: '' | 'ro' | 'rw' }[];
  binds: string[];
  mounts: BindMount[];
  volumePaths: string[];
}

/**
 * The container's mounts in dockerd's precedence: Binds and Mounts (a destination twice among
 * them is an error), then volumes-from for other destinations, then an anonymous volume for each
 * Config.Volumes / image VOLUME path still free. Volumes have no `source` yet.
 */
export function mergeMounts(src: MountSources): BindMount[] {
  const explicit = new Map<string, BindMount>();
  const add = (m: BindMount): void => {
    if (explicit.has(m.destination)) throw invalidArgument('DUPLICATE_MOUNT', `Duplicate mount point: ${m.destination}`);
    explicit.set(m.destination, m);
  };
  for (const b of src.binds) add(parseBind(b));
  for (const m of src.mounts) {
    const dest = m.destination === '' ? '' : cleanDestination(m.destination);
    if (m.type === 'volume') checkVolumeMount(m);
    add({ ...m, destination: dest });
  }
  const out = new Map<string, BindMount>();
  for (const from of src.volumesFrom) {
    for (const m of from.mounts) {
      if (m.type === 'tmpfs') continue;
      const readOnly = from.mode === 'ro' ? true : from.mode === 'rw' ? false : m.readOnly;
      out.set(m.destination, { ...m, readOnly });
    }
  }
  for (const [dest, m] of explicit) out.set(dest, m);
  for (const p of src.volumePaths) {
    const dest = cleanDestination(p);
    if (!dest.startsWith('/') || dest === '/') throw invalidArgument('INVALID_VOLUME', `invalid volume path: '${p}'`);
    if (!out.has(dest)) out.set(dest, { type: 'volume', source: '', destination: dest, readOnly: false, mode: '', anonymous: true });
  }
  return [...out.values()];
}
