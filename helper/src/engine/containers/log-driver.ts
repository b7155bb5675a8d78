/**
 * Log drivers berthd implements (HostConfig.LogConfig): `json-file` (dockerd's default, with
 * max-size/max-file rotation), `local` (bounded by default: 20 MB × 5 files, read back by `docker
 * logs`; kept in the json-file line format, an internal detail dockerd's local driver also hides)
 * and `none` (nothing kept: `docker logs` answers as dockerd, "does not support reading"). The
 * monitor writes and rotates the file; this module decides where and how much.
 */
import { join } from 'node:path';
import { invalidArgument, notImplemented } from '../../lib/errors';

export interface LogConfig {
  type: string;
  config: Record<string, string>;
}

export interface LogSettings {
  driver: 'json-file' | 'local' | 'none';
  /** The file the monitor appends to; '' for `none`. */
  path: string;
  /** Rotation; absent = a single file that grows without bound (json-file's default). */
  rotation?: { maxBytes: number; maxFiles: number };
  /** json-file's `attrs` on every line (the labels/env options); absent when none apply. */
  attrs?: Record<string, string>;
}

export const LOG_DRIVERS = ['json-file', 'local', 'none'];
/** Drivers dockerd ships that berthd does not: refused as unsupported rather than unknown. */
const DOCKERD_LOG_DRIVERS = ['syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries'];
/** json-file options dockerd knows that berthd does not apply (`tag` does nothing for json-file in dockerd either). */
const JSON_FILE_OPTS_UNSUPPORTED = ['tag', 'max-buffer-size'];
/** json-file's attrs options (moby logger.Info.ExtraAttributes). */
const ATTR_OPTS = ['labels', 'labels-regex', 'env', 'env-regex'];
const ROTATION_OPTS = ['max-size', 'max-file', 'compress'];
/** moby daemon/logger/local defaults. */
const LOCAL_DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
const LOCAL_DEFAULT_MAX_FILES = 5;

const bad = (code: string, message: string): never => {
  throw invalidArgument(code, message);
};

/** go-units RAMInBytes ("10m", "1.5g", "512k", "100"): binary multiples, case-insensitive. */
export function parseLogSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(v);
  if (!m) return bad('LOG_OPT_INVALID', `invalid size: '${v}'`);
  const pow = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.floor(Number(m[1]) * 1024 ** pow);
}

function parseMaxFile(v: string): number {
  if (!/^-?\d+$/.test(v)) return bad('LOG_OPT_INVALID', `strconv.Atoi: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (n < 1) bad('LOG_OPT_INVALID', 'max-file cannot be less than 1');
  return n;
}

/** Create-time check (moby ValidateLogOpts): unknown drivers and options are 400s. */
export function validateLogConfig(cfg: LogConfig): void {
  const { type, config } = cfg;
  if (!LOG_DRIVERS.includes(type)) {
    if (DOCKERD_LOG_DRIVERS.includes(type)) bad('LOG_DRIVER_UNSUPPORTED', `HostConfig.LogConfig.Type: log driver "${type}" is not supported by berthd`);
    bad('LOG_DRIVER_UNKNOWN', `failed to create logger: logger: no log driver named '${type}' is registered`);
  }
  for (const [opt, value] of Object.entries(config)) {
    // `mode` is every driver's (dockerd): blocking is what the monitor does; non-blocking would drop lines.
    if (opt === 'mode') {
      if (value !== 'blocking' && value !== '') bad('LOG_OPT_UNSUPPORTED', `HostConfig.LogConfig.Config: log mode '${value}' is not supported by berthd (blocking only)`);
      continue;
    }
    const known = ROTATION_OPTS.includes(opt) || (type === 'json-file' && (JSON_FILE_OPTS_UNSUPPORTED.includes(opt) || ATTR_OPTS.includes(opt)));
    if (type === 'none' || !known) bad('LOG_OPT_UNKNOWN', `unknown log opt '${opt}' for ${type} log driver`);
    if (opt.endsWith('-regex')) {
      try {
        new RegExp(value);
      } catch {
        bad('LOG_OPT_INVALID', `error parsing regexp: invalid ${opt} '${value}'`);
      }
    }
    if (JSON_FILE_OPTS_UNSUPPORTED.includes(opt)) bad('LOG_OPT_UNSUPPORTED', `HostConfig.LogConfig.Config: log option '${opt}' is not supported by berthd`);
    if (opt === 'compress') {
      if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(value)) bad('LOG_OPT_INVALID', `strconv.ParseBool: parsing "${value}": invalid syntax`);
      // Rotated files stay uncompressed; json-file would gzip them, a difference a user can see.
      if (type === 'json-file' && ['true', '1', 't', 'TRUE', 'True'].includes(value)) bad('LOG_OPT_UNSUPPORTED', "HostConfig.LogConfig.Config: log option 'compress' is not supported by berthd");
    }
  }
  if (config['max-size'] !== undefined && parseLogSize(config['max-size']) <= 0) bad('LOG_OPT_INVALID', 'max-size must be a positive number');
  if (config['max-file'] !== undefined) parseMaxFile(config['max-file']);
}

/** moby ExtraAttributes: the container labels and env variables the options name or match. */
export function logAttrs(cfg: LogConfig, meta: { labels: Record<string, string>; env: string[] }): Record<string, string> {
  const out: Record<string, string> = {};
  const o = cfg.config;
  const list = (v: string | undefined): string[] => (v ? v.split(',') : []);
  for (const l of list(o.labels)) if (meta.labels[l] !== undefined) out[l] = meta.labels[l];
  if (o['labels-regex']) {
    const re = new RegExp(o['labels-regex']);
    for (const [k, v] of Object.entries(meta.labels)) if (re.test(k)) out[k] = v;
  }
  const env = new Map<string, string>();
  for (const e of meta.env) {
    const i = e.indexOf('=');
    if (i > 0) env.set(e.slice(0, i), e.slice(i + 1));
  }
  for (const l of list(o.env)) if (env.has(l)) out[l] = env.get(l) ?? '';
  if (o['env-regex']) {
    const re = new RegExp(o['env-regex']);
    for (const [k, v] of env) if (re.test(k)) out[k] = v;
  }
  return out;
}

/** Where a container's log goes and how it rotates (and, for json-file, the attrs of its lines). */
export function logSettingsOf(containerDir: string, id: string, cfg: LogConfig, meta?: { labels: Record<string, string>; env: string[] }): LogSettings {
  const maxSize = cfg.config['max-size'];
  const maxFile = cfg.config['max-file'];
  switch (cfg.type) {
    case 'none':
      return { driver: 'none', path: '' };
    case 'local':
      return {
        driver: 'local',
        path: join(containerDir, 'local-logs', 'container.log'),
        rotation: { maxBytes: maxSize !== undefined ? parseLogSize(maxSize) : LOCAL_DEFAULT_MAX_BYTES, maxFiles: maxFile !== undefined ? parseMaxFile(maxFile) : LOCAL_DEFAULT_MAX_FILES },
      };
    default: {
      const path = join(containerDir, `${id}-json.log`);
      const maxBytes = maxSize !== undefined ? parseLogSize(maxSize) : 0;
      const attrs = meta ? logAttrs(cfg, meta) : {};
      return {
        driver: 'json-file',
        path,
        ...(maxBytes > 0 ? { rotation: { maxBytes, maxFiles: maxFile !== undefined ? parseMaxFile(maxFile) : 1 } } : {}),
        ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
      };
    }
  }
}

/**
 * The daemon's default filled in (moby mergeAndVerifyLogConfig): no Type takes the default driver,
 * and a container of the default driver takes the default options it does not set itself.
 */
export function mergeLogConfig(cfg: LogConfig, defaults: LogConfig = { type: 'json-file', config: {} }): LogConfig {
  const type = cfg.type === '' ? defaults.type : cfg.type;
  return { type, config: type === defaults.type ? { ...defaults.config, ...cfg.config } : { ...cfg.config } };
}

/** `docker logs` of a container whose driver keeps nothing (moby ErrReadLogsNotSupported, 501). */
export function assertReadable(s: LogSettings): void {
  if (s.driver === 'none') throw notImplemented('LOGS_NOT_SUPPORTED', 'configured logging driver does not support reading');
}
