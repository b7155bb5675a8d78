/**
 * A container's mounts as the container sees them: host source -> container destination, for code
 * that must read or write "through" them (docker cp, export, the Files tab). Binds and volumes have
 * a host directory (a volume's is its `_data`); tmpfs mounts have none (`source` is '') and only
 * exist inside a running container.
 */
import type { ContainerRecord } from '../../store/containers/container-record';

export interface ContainerMountView {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Absolute host path; '' for tmpfs. */
  source: string;
  /** Absolute, cleaned path inside the container. */
  destination: string;
  readOnly: boolean;
  /** Volumes: the volume's name. */
  name?: string;
}

/** Ordered parents first (as they are mounted), so the last mount containing a path is the one that shows. */
export function containerMounts(rec: ContainerRecord): ContainerMountView[] {
  const depth = (p: string): number => p.split('/').filter(Boolean).length;
  return rec.hostConfig.mounts
    .map((m) => ({ type: m.type, source: m.type === 'tmpfs' ? '' : m.source, destination: m.destination, readOnly: m.readOnly, ...(m.name ? { name: m.name } : {}) }))
    .sort((a, b) => depth(a.destination) - depth(b.destination));
}
