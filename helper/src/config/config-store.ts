import { randomBytes } from 'node:crypto';
import { open, readFile, realpath, rename, stat, unlink, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { MirrorsConfigUpdate } from '../../../src-shared/docker-api/berth-config';
import { errnoCode, internal } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { DEFAULT_DAEMON_CONFIG, type DaemonConfig, type DaemonConfigSource } from './daemon-config';
import { parseDaemonConfig, type ConfigValidationError, type ParsedDaemonConfig } from './daemon-config-parse';

/** What is in force now, with the text it came from. */
export interface ConfigSnapshot {
  config: DaemonConfig;
  /** The daemon.json text in force; "{}\n" when running on defaults because no file exists. */
  raw: string;
  warnings: string[];
  /** "defaults" when no config file exists. */
  source: 'file' | 'defaults';
}

export type ReloadResult = { ok: true; snapshot: ConfigSnapshot } | { ok: false; error: ConfigValidationError | Error };

export type ConfigListener = (config: DaemonConfig, previous: DaemonConfig) => void;

const EMPTY_RAW = '{}\n';

/**
 * The daemon.json-compatible config file and the config in force.
 *
 * Lifecycle: `ConfigStore.open()` loads the file once at start-up (an absent file means defaults;
 * an invalid one is an error, as dockerd refuses to start). Afterwards the config changes only
 * through `reload()` (SIGHUP: re-read the file) or `replaceRaw()`/`replaceMirrors()` (the Berth
 * API: validate, write the file atomically, then swap). Every change is validated first; when
 * validation or the write fails, the config in force and the file on disk stay as they were.
 *
 * Invariants: the file is replaced by rename, so it holds valid JSON at every instant (a reader
 * sees the old or the new text, never a mix); `current()` always returns a fully validated config;
 * changes are serialised, so a SIGHUP arriving during an API replace cannot interleave with it.
 */
export class ConfigStore implements DaemonConfigSource {
  private snapshotValue: ConfigSnapshot;
  private readonly listeners = new Set<ConfigListener>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly log: Logger,
    initial: ConfigSnapshot,
  ) {
    this.snapshotValue = initial;
  }

  /** Loads `file`. Throws ConfigValidationError for an invalid file, so start-up can refuse it with the message. */
  static async open(file: string, log: Logger): Promise<ConfigStore> {
    const logger = log.child({ module: 'config' });
    const initial = await readSnapshot(file);
    const store = new ConfigStore(file, logger, initial);
    store.logApplied('loaded', initial);
    return store;
  }

  get path(): string {
    return this.file;
  }

  current(): DaemonConfig {
    return this.snapshotValue.config;
  }

  snapshot(): ConfigSnapshot {
    return this.snapshotValue;
  }

  /** Called after every change that altered the config in force (not on a failed reload). */
  onChange(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A dry run: parses and validates a daemon.json text without applying it. Throws ConfigValidationError. */
  validate(raw: string): ParsedDaemonConfig {
    return parseDaemonConfig(raw);
  }

  /**
   * Re-reads the file (SIGHUP). A broken file is logged and refused; the config in force stays.
   * Never throws: the signal handler has nobody to report to but the log.
   */
  reload(): Promise<ReloadResult> {
    return this.serialise(async () => {
      try {
        const next = await readSnapshot(this.file);
        this.swap(next, 'reloaded');
        return { ok: true, snapshot: next };
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        this.log.error({ file: this.file, err: error.message }, 'config reload refused; the previous config stays in force');
        return { ok: false, error };
      }
    });
  }

  /** Replaces the whole file with `raw` after validating it. Throws ConfigValidationError; nothing changes then. */
  replaceRaw(raw: string): Promise<ConfigSnapshot> {
    return this.serialise(async () => {
      const parsed = parseDaemonConfig(raw);
      await writeFileAtomic(this.file, raw);
      const next: ConfigSnapshot = { ...parsed, raw, source: 'file' };
      this.swap(next, 'replaced');
      return next;
    });
  }

  /**
   * Sets the mirror keys of the file in force and keeps every other key (and its order), so a
   * settings form cannot drop options the user wrote by hand.
   */
  replaceMirrors(update: MirrorsConfigUpdate): Promise<ConfigSnapshot> {
    return this.serialise(async () => {
      const raw = mergeMirrors(this.snapshotValue.raw, update);
      const parsed = parseDaemonConfig(raw);
      await writeFileAtomic(this.file, raw);
      const next: ConfigSnapshot = { ...parsed, raw, source: 'file' };
      this.swap(next, 'replaced');
      return next;
    });
  }

  private swap(next: ConfigSnapshot, how: string): void {
    const previous = this.snapshotValue.config;
    this.snapshotValue = next;
    this.logApplied(how, next);
    for (const listener of this.listeners) {
      try {
        listener(next.config, previous);
      } catch (err) {
        this.log.error({ err }, 'config listener failed');
      }
    }
  }

  private logApplied(how: string, s: ConfigSnapshot): void {
    this.log.info(
      { file: this.file, source: s.source, registryMirrors: s.config.registryMirrors, mirrors: s.config.mirrors, insecureRegistries: s.config.insecureRegistries },
      `config ${how}`,
    );
    for (const warning of s.warnings) this.log.warn({ file: this.file }, warning);
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

async function readSnapshot(file: string): Promise<ConfigSnapshot> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { config: DEFAULT_DAEMON_CONFIG, raw: EMPTY_RAW, warnings: [], source: 'defaults' };
    throw internal('CONFIG_READ_FAILED', `cannot read config file ${file}: ${(err as Error).message}`, err);
  }
  // An empty file is what `touch daemon.json` leaves; dockerd treats it as no settings.
  if (raw.trim() === '') return { config: DEFAULT_DAEMON_CONFIG, raw, warnings: [], source: 'file' };
  return { ...parseDaemonConfig(raw), raw, source: 'file' };
}

/** Applies a structured mirrors update to a daemon.json text that is known to be a valid object. */
export function mergeMirrors(raw: string, update: MirrorsConfigUpdate): string {
  const base = raw.trim() === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
  const next: Record<string, unknown> = { ...base, 'registry-mirrors': update.registryMirrors };
  if (update.mirrors !== undefined) next.mirrors = update.mirrors;
  if (update.insecureRegistries !== undefined) next['insecure-registries'] = update.insecureRegistries;
  return `${JSON.stringify(next, null, 2)}\n`;
}

/**
 * Writes `text` to `file` so that the path holds either the old or the new content at any instant:
 * temp file in the same directory, fsync, rename over, fsync the directory (so the rename survives
 * a power cut). A symlinked daemon.json is written through to its target.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  let target = file;
  let mode = 0o644;
  try {
    target = await realpath(file);
    mode = (await stat(target)).mode & 0o7777;
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw internal('CONFIG_WRITE_FAILED', `cannot write config file ${file}: ${(err as Error).message}`, err);
    await mkdir(dirname(file), { recursive: true });
  }
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw internal('CONFIG_WRITE_FAILED', `cannot write config file ${file}: ${(err as Error).message}`, err);
  }
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
