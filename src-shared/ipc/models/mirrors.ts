/**
 * Registry mirrors settings (berthd's `/berth/v1/config/mirrors`). Against a daemon without
 * Berth's extensions `supported` is false and the screen is read-only (mirrors from /info).
 */
import type { JsonPosition } from '../../docker-api/berth-config';

export interface MirrorsConfigView {
  supported: boolean;
  /** Docker Hub mirrors, in the order they are tried. */
  registryMirrors: string[];
  /** Mirrors per registry host. */
  mirrors: Record<string, string[]>;
  insecureRegistries: string[];
  /** The daemon.json text (empty when unsupported). */
  raw: string;
  warnings: string[];
}

/** Either the whole daemon.json text, or the structured list (other keys of the file are kept). */
export type MirrorsUpdate =
  | { raw: string }
  | { registryMirrors: string[]; mirrors?: Record<string, string[]>; insecureRegistries?: string[] };

/** An error tied to one entry of the form, so it can be shown next to it. */
export interface MirrorEntryError {
  /** `registryMirrors`, `insecureRegistries`, or `mirrors.<host>`. */
  list: string;
  /** Index in that list; -1 for the key itself (`mirrors.<host>` with a bad host). */
  index: number;
  value: string;
  message: string;
}

export interface MirrorsValidationView {
  valid: boolean;
  message?: string;
  /** Offending key path as berthd reports it, e.g. `registry-mirrors[1]`. */
  key?: string;
  /** JSON syntax error position. */
  position?: JsonPosition;
  /** Per-entry errors (checked in main with the same rules as berthd, before asking it). */
  entryErrors: MirrorEntryError[];
  warnings: string[];
}

export interface MirrorHealthView {
  url: string;
  registry: string;
  reachable: boolean;
  latencyMs: number | null;
  status: number | null;
  error: string | null;
}

export interface MirrorsHealthView {
  supported: boolean;
  /** Epoch ms. */
  checkedAt: number;
  mirrors: MirrorHealthView[];
}
