import * as z from 'zod';
import {
  insecureRegistryProblem,
  mirrorUrlProblem,
  normaliseMirrorUrl,
  registryHostProblem,
  type JsonPosition,
} from '../../../src-shared/docker-api/berth-config';
import { BerthError } from '../lib/errors';
import { DEFAULT_DAEMON_CONFIG, type DaemonConfig } from './daemon-config';
// The log-driver check is the one a create runs, so daemon.json and `docker run` agree on what is valid.
import { validateLogConfig } from '../engine/containers/log-driver';
import { findJsonError, jsonPosition } from '../../../src-shared/json/json-error-position';

/**
 * A daemon.json that cannot be applied. `key` names the offending setting ("registry-mirrors[1]")
 * and `position` the spot of a JSON syntax error, so the settings screen can point at it.
 */
export class ConfigValidationError extends BerthError {
  readonly key?: string;
  readonly position?: JsonPosition;

  constructor(code: 'CONFIG_INVALID_JSON' | 'CONFIG_INVALID' | 'CONFIG_UNKNOWN_KEYS', message: string, details: { key?: string; position?: JsonPosition } = {}) {
    super('InvalidArgument', code, message);
    this.name = 'ConfigValidationError';
    this.key = details.key;
    this.position = details.position;
  }
}

export interface ParsedDaemonConfig {
  config: DaemonConfig;
  /** Human-readable notes about accepted keys that have no effect in berthd. */
  warnings: string[];
}

/**
 * dockerd options berthd accepts so that a daemon.json copied from a Docker host works, but does
 * not act on. Anything outside this list and the supported keys is refused, as dockerd refuses
 * unknown directives (moby daemon/config `findConfigurationConflicts`).
 */
const IGNORED_DOCKERD_KEYS = new Set([
  'allow-nondistributable-artifacts', 'api-cors-header', 'authorization-plugins', 'bip', 'bip6',
  'builder', 'cdi-spec-dirs', 'cgroup-parent', 'cluster-advertise', 'cluster-store', 'cluster-store-opts',
  'containerd', 'containerd-namespace', 'containerd-plugins-namespace', 'cpu-rt-period', 'cpu-rt-runtime',
  'cri-containerd', 'data-root', 'default-address-pools', 'default-cgroupns-mode', 'default-gateway',
  'default-gateway-v6', 'default-ipc-mode', 'default-network-opts', 'default-runtime', 'default-shm-size',
  'default-ulimits', 'dns', 'dns-opts', 'dns-search', 'exec-opts', 'exec-root', 'experimental', 'features',
  'firewall-backend', 'fixed-cidr', 'fixed-cidr-v6', 'group', 'host-gateway-ip', 'host-gateway-ips', 'hosts',
  'http-proxy', 'https-proxy', 'icc', 'init', 'init-path', 'ip', 'ip-forward', 'ip-forward-no-drop', 'ip-masq',
  'ip6tables', 'iptables', 'ipv6', 'labels', 'live-restore', 'log-format', 'log-level',
  'max-download-attempts', 'metrics-addr', 'min-api-version', 'mtu', 'network-control-plane-mtu',
  'no-proxy', 'node-generic-resources', 'oom-score-adjust', 'pidfile', 'proxies',
  'raw-logs', 'runtimes', 'selinux-enabled', 'shutdown-timeout', 'storage-driver',
  'storage-opts', 'swarm-default-advertise-addr', 'tls', 'tlscacert', 'tlscert', 'tlskey', 'tlsverify',
  'userland-proxy', 'userland-proxy-path',
]);

/** Why some ignored keys are worth more than the generic warning. */
const IGNORED_KEY_NOTES: Record<string, string> = {
  'data-root': 'berthd takes its data root from --data-root',
  hosts: 'berthd listens on the socket given by --socket',
  'log-level': 'berthd takes its log level from --log-level (or "debug": true)',
};

const mirrorUrl = z.string().superRefine((value, ctx) => {
  const problem = mirrorUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${problem}` });
});

const registryHost = z.string().superRefine((value, ctx) => {
  const problem = registryHostProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${problem}` });
});

const insecureRegistry = z.string().superRefine((value, ctx) => {
  const problem = insecureRegistryProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} ${problem}` });
});

const positiveInt = z.number().int('must be a whole number').min(1, 'must be at least 1');

const fileSchema = z.object({
  'registry-mirrors': z.array(mirrorUrl).optional(),
  mirrors: z.record(registryHost, z.array(mirrorUrl)).optional(),
  'insecure-registries': z.array(insecureRegistry).optional(),
  'max-concurrent-downloads': positiveInt.optional(),
  'max-concurrent-uploads': positiveInt.optional(),
  debug: z.boolean().optional(),
  // Linux interface names: at most 15 bytes, no '/', whitespace or ':' (dockerd refuses the same).
  bridge: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'must be "none" or a network interface name of at most 15 characters').optional(),
  // A profile file (absolute path), "unconfined" or "builtin"; the file is read when berthd starts.
  'seccomp-profile': z
    .string()
    .refine((v) => v === '' || v === 'unconfined' || v === 'builtin' || v.startsWith('/'), 'must be an absolute path to a profile, "unconfined" or "builtin"')
    .optional(),
  'no-new-privileges': z.boolean().optional(),
  // The default log driver and options of new containers (checked as a create would check them).
  'log-driver': z.string().min(1).optional(),
  'log-opts': z.record(z.string(), z.string()).optional(),
  // "default", "user", "user:group", "uid", "uid:gid"; resolved against /etc/subuid at start (config/userns-remap.ts).
  'userns-remap': z.string().regex(/^[^:\s]*(:[^:\s]+)?$/, 'must be "default", "user", "user:group", "uid" or "uid:gid"').optional(),
});

const SUPPORTED_KEYS = new Set(Object.keys(fileSchema.shape));

/** Dockerd spells Docker Hub several ways; berthd's references always say docker.io. */
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Parses and validates a daemon.json text into berthd's config model. Mirror URLs are normalised
 * to their origin (dockerd keeps a trailing slash; berthd appends `/v2/` itself), duplicates are
 * dropped, hosts are lower-cased. Throws ConfigValidationError naming the first bad key.
 */
export function parseDaemonConfig(text: string): ParsedDaemonConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse refused something the scanner accepts (should not happen): blame the end.
    const { position, reason } = findJsonError(text) ?? { position: jsonPosition(text, text.length), reason: 'invalid JSON' };
    throw new ConfigValidationError('CONFIG_INVALID_JSON', `invalid JSON at line ${position.line}, column ${position.column}: ${reason}`, { position });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigValidationError('CONFIG_INVALID', 'invalid config: the top level must be a JSON object');
  }
  const entries = value as Record<string, unknown>;
  const unknown = Object.keys(entries).filter((k) => !SUPPORTED_KEYS.has(k) && !IGNORED_DOCKERD_KEYS.has(k));
  if (unknown.length > 0) {
    throw new ConfigValidationError('CONFIG_UNKNOWN_KEYS', `the following directives don't match any configuration option: ${unknown.join(', ')}`, { key: unknown[0] });
  }
  const supported = Object.fromEntries(Object.entries(entries).filter(([k]) => SUPPORTED_KEYS.has(k)));
  const result = fileSchema.safeParse(supported);
  if (!result.success) {
    const issues = result.error.issues;
    const first = issues[0];
    const key = first ? formatPath(first.path) : undefined;
    const message = issues.map(describeIssue).join('; ');
    throw new ConfigValidationError('CONFIG_INVALID', message, { key });
  }
  const file = result.data;
  try {
    validateLogConfig({ type: file['log-driver'] ?? 'json-file', config: file['log-opts'] ?? {} });
  } catch (err) {
    throw new ConfigValidationError('CONFIG_INVALID', `invalid log-driver/log-opts: ${err instanceof Error ? err.message : String(err)}`, { key: file['log-opts'] ? 'log-opts' : 'log-driver' });
  }
  const mirrors: Record<string, string[]> = {};
  for (const [host, urls] of Object.entries(file.mirrors ?? {})) {
    const key = host.toLowerCase();
    // One place for Hub mirrors keeps the pull order unambiguous (and dockerd-compatible).
    if (HUB_ALIASES.has(key)) {
      throw new ConfigValidationError('CONFIG_INVALID', `invalid mirrors key: "${host}" is Docker Hub; list its mirrors in "registry-mirrors"`, { key: `mirrors.${host}` });
    }
    mirrors[key] = dedupe([...(mirrors[key] ?? []), ...urls.map(normaliseMirrorUrl)]);
  }
  const config: DaemonConfig = {
    registryMirrors: dedupe((file['registry-mirrors'] ?? []).map(normaliseMirrorUrl)),
    mirrors,
    insecureRegistries: dedupe((file['insecure-registries'] ?? []).map((h) => h.toLowerCase())),
    maxConcurrentDownloads: file['max-concurrent-downloads'] ?? DEFAULT_DAEMON_CONFIG.maxConcurrentDownloads,
    maxConcurrentUploads: file['max-concurrent-uploads'] ?? DEFAULT_DAEMON_CONFIG.maxConcurrentUploads,
    debug: file.debug ?? DEFAULT_DAEMON_CONFIG.debug,
    ...(file.bridge !== undefined ? { bridge: file.bridge } : {}),
    ...(file['seccomp-profile'] ? { seccompProfile: file['seccomp-profile'] } : {}),
    noNewPrivileges: file['no-new-privileges'] ?? false,
    ...(file['userns-remap'] !== undefined && file['userns-remap'] !== '' ? { usernsRemap: file['userns-remap'] } : {}),
    ...(file['log-driver'] ? { logDriver: file['log-driver'] } : {}),
    ...(file['log-opts'] ? { logOpts: file['log-opts'] } : {}),
  };
  return { config, warnings: ignoredKeyWarnings(entries) };
}

function ignoredKeyWarnings(entries: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  for (const [key, v] of Object.entries(entries)) {
    if (!IGNORED_DOCKERD_KEYS.has(key)) continue;
    // berthd always stores layers as overlay2, so saying so is not worth a warning.
    if (key === 'storage-driver' && v === 'overlay2') continue;
    const note = IGNORED_KEY_NOTES[key] ?? (key === 'storage-driver' ? 'berthd always uses overlay2' : 'berthd does not use it');
    warnings.push(`"${key}" is a dockerd option that berthd ignores: ${note}`);
  }
  return warnings;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // A bad record key (a `mirrors` host) carries its own issues; the key is the last path part.
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0]?.message ?? 'is not a valid host[:port]';
    return `invalid ${formatPath(issue.path.slice(0, -1))} key: ${inner}`;
  }
  return `invalid ${formatPath(issue.path)}: ${issue.message}`;
}

/** ["registry-mirrors", 1] -> "registry-mirrors[1]"; ["mirrors", "ghcr.io", 0] -> "mirrors.ghcr.io[0]". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? 'config' : out;
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
