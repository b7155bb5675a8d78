import type { RestartPolicyName, RunSpec } from '../../../../../src-shared/ipc/models/containers';
import { parseAliases, parsePorts } from './run-ports';

/**
 * The run dialog's state. The command is an argument list (exec form) by default: each entry is
 * one argv element passed as is, with no shell in between, so the program is PID 1 and gets
 * `docker stop`'s SIGTERM. Shell form is an explicit opt-in that wraps the text in `/bin/sh -c`.
 */
export interface RunForm {
  image: string;
  name: string;
  commandMode: 'exec' | 'shell';
  /** Exec form: one argv element per entry (empty entries are dropped). */
  args: string[];
  /** Shell form: the script for `/bin/sh -c`. */
  script: string;
  /** One `KEY=value` per line. */
  env: string;
  /** `64m`, `1g`, `512k` or bytes; empty = unlimited. */
  memory: string;
  cpus: string;
  pidsLimit: string;
  tty: boolean;
  init: boolean;
  autoRemove: boolean;
  /** `default`, `none`, `host` or a user-defined network's name. */
  network: string;
  /** `--network-alias` names (user-defined networks only), comma- or space-separated. */
  aliases: string;
  /** `-p` entries, comma- or newline-separated (run-ports.ts). */
  ports: string;
  /** `-P`. */
  publishAll: boolean;
  /** One `host-path:container-path[:ro|:rw]` or `volume:container-path[:ro|:rw]` per line. */
  binds: string;
  restartPolicy: RestartPolicyName;
  /** `on-failure:N`; empty = unlimited. */
  maxRetries: string;
  /** One `key=value` per line. */
  labels: string;
  /** `--health-cmd` (run by /bin/sh -c); empty = the image's healthcheck, if any. */
  healthCmd: string;
  /** Seconds. */
  healthInterval: string;
  healthRetries: string;
  /** json-file rotation: `10m`; empty = the daemon's default. */
  logMaxSize: string;
  logMaxFile: string;
}

export const EMPTY_RUN_FORM: RunForm = {
  image: '',
  name: '',
  commandMode: 'exec',
  args: [''],
  script: '',
  env: '',
  memory: '',
  cpus: '',
  pidsLimit: '',
  tty: true,
  init: false,
  autoRemove: false,
  network: 'default',
  aliases: '',
  ports: '',
  publishAll: false,
  binds: '',
  restartPolicy: 'no',
  maxRetries: '',
  labels: '',
  healthCmd: '',
  healthInterval: '',
  healthRetries: '',
  logMaxSize: '',
  logMaxFile: '',
};

export type RunFormErrors = Partial<Record<'image' | 'name' | 'command' | 'env' | 'memory' | 'cpus' | 'pidsLimit' | 'binds' | 'maxRetries' | 'labels' | 'ports' | 'aliases' | 'health' | 'logs', string>>;

const MEMORY_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses `docker run -m` syntax (binary units, as docker's RAMInBytes). Returns null when invalid. */
export function parseMemory(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return null;
  const unit = MEMORY_UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isFinite(bytes) ? bytes : null;
}

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const ENV_KEY = /^[^=\s]+$/;

function lines(text: string): { line: string; n: number }[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter((l) => l.line !== '');
}

export function validateRunForm(form: RunForm): RunFormErrors {
  const errors: RunFormErrors = {};
  const image = form.image.trim();
  if (image === '') errors.image = 'Choose the image to run.';
  else if (/\s/.test(image)) errors.image = 'An image reference has no spaces.';
  if (form.name.trim() !== '' && !NAME.test(form.name.trim())) errors.name = 'Letters, digits, and _ . - only, starting with a letter or digit.';
  if (form.commandMode === 'shell' && form.script.trim() === '') errors.command = 'Enter the shell command, or switch back to an argument list.';
  for (const { line, n } of lines(form.env)) {
    const key = line.split('=')[0] ?? '';
    if (!ENV_KEY.test(key)) {
      errors.env = `Line ${n}: expected KEY=value.`;
      break;
    }
  }
  if (form.memory.trim() !== '') {
    const bytes = parseMemory(form.memory);
    if (bytes === null) errors.memory = 'A size such as 64m, 512k or 1g.';
    else if (bytes < 6 * 1024 * 1024) errors.memory = 'At least 6m: the kernel needs some memory to start a process.';
  }
  if (form.cpus.trim() !== '') {
    const cpus = Number(form.cpus);
    if (!Number.isFinite(cpus) || cpus <= 0) errors.cpus = 'A positive number of CPUs, e.g. 0.5.';
  }
  if (form.pidsLimit.trim() !== '') {
    const pids = Number(form.pidsLimit);
    if (!Number.isInteger(pids) || pids < 1) errors.pidsLimit = 'A whole number of processes, at least 1.';
  }
  const ports = parsePorts(form.ports);
  if (typeof ports === 'string') errors.ports = ports;
  else if (ports.length > 0 && (form.network === 'none' || form.network === 'host')) errors.ports = `Ports are published only from a bridge network; with --network ${form.network} there is nothing to publish.`;
  if (form.publishAll && (form.network === 'none' || form.network === 'host')) errors.ports = `Ports are published only from a bridge network; with --network ${form.network} there is nothing to publish.`;
  const aliases = parseAliases(form.aliases);
  if (typeof aliases === 'string') errors.aliases = aliases;
  else if (aliases.length > 0 && ['default', 'none', 'host', 'bridge'].includes(form.network)) errors.aliases = 'Aliases work on a user-defined network: choose one above.';
  for (const { line, n } of lines(form.binds)) {
    const parts = line.split(':');
    const [src, dst, mode] = parts;
    if (parts.length < 2 || parts.length > 3 || !src || !dst) errors.binds = `Line ${n}: expected /host/path:/container/path[:ro] or volume:/container/path[:ro].`;
    // A named volume (created on first use) or an absolute host path, as `docker run -v`.
    else if (!src.startsWith('/') && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(src)) errors.binds = `Line ${n}: an absolute host path or a volume name.`;
    else if (!dst.startsWith('/')) errors.binds = `Line ${n}: the container path must be absolute.`;
    else if (mode !== undefined && mode !== 'ro' && mode !== 'rw') errors.binds = `Line ${n}: the mode is ro or rw.`;
    if (errors.binds) break;
  }
  if (form.restartPolicy === 'on-failure' && form.maxRetries.trim() !== '') {
    const n = Number(form.maxRetries);
    if (!Number.isInteger(n) || n < 0) errors.maxRetries = 'A whole number of retries (0 = unlimited).';
  }
  if (form.autoRemove && form.restartPolicy !== 'no') errors.maxRetries = 'A container removed when it exits cannot be restarted: choose --rm or a restart policy.';
  if (form.healthCmd.trim() === '' && (form.healthInterval.trim() !== '' || form.healthRetries.trim() !== '')) errors.health = 'Give the check command, or clear the interval and retries.';
  else if (form.healthInterval.trim() !== '' && !(Number(form.healthInterval) >= 0.001)) errors.health = 'The interval is a number of seconds, e.g. 30 or 0.5.';
  else if (form.healthRetries.trim() !== '' && !(Number.isInteger(Number(form.healthRetries)) && Number(form.healthRetries) >= 1)) errors.health = 'Retries: a whole number, at least 1.';
  if (form.logMaxSize.trim() !== '' && !/^\d+[kmg]?$/i.test(form.logMaxSize.trim())) errors.logs = 'The maximum size is like 10m, 512k or 1g.';
  else if (form.logMaxFile.trim() !== '' && !(Number.isInteger(Number(form.logMaxFile)) && Number(form.logMaxFile) >= 1)) errors.logs = 'The number of files is a whole number, at least 1.';
  else if (form.logMaxFile.trim() !== '' && form.logMaxSize.trim() === '') errors.logs = 'Files are rotated by size: give the maximum size too.';
  for (const { line, n } of lines(form.labels)) {
    if (!/^[^=\s]+=/.test(line)) {
      errors.labels = `Line ${n}: expected key=value.`;
      break;
    }
  }
  return errors;
}

/** The argv the form will run, or undefined for the image's default command. */
export function commandOf(form: RunForm): string[] | undefined {
  if (form.commandMode === 'shell') return form.script.trim() === '' ? undefined : ['/bin/sh', '-c', form.script];
  const args = form.args.filter((a) => a !== '');
  return args.length > 0 ? args : undefined;
}

/** Call only on a form without errors. */
export function toRunSpec(form: RunForm): RunSpec {
  const spec: RunSpec = { image: form.image.trim(), tty: form.tty, openStdin: form.tty, init: form.init, autoRemove: form.autoRemove, network: form.network };
  if (form.name.trim() !== '') spec.name = form.name.trim().replace(/^\//, '');
  const cmd = commandOf(form);
  if (cmd) spec.cmd = cmd;
  const env = lines(form.env).map((l) => l.line);
  if (env.length > 0) spec.env = env;
  if (form.memory.trim() !== '') spec.memoryBytes = parseMemory(form.memory) ?? undefined;
  if (form.cpus.trim() !== '') spec.cpus = Number(form.cpus);
  if (form.pidsLimit.trim() !== '') spec.pidsLimit = Number(form.pidsLimit);
  const ports = parsePorts(form.ports);
  if (typeof ports !== 'string' && ports.length > 0) spec.ports = ports;
  if (form.publishAll) spec.publishAll = true;
  const aliases = parseAliases(form.aliases);
  if (typeof aliases !== 'string' && aliases.length > 0) spec.aliases = aliases;
  const binds = lines(form.binds).map((l) => l.line);
  if (binds.length > 0) spec.binds = binds;
  if (form.restartPolicy !== 'no') {
    spec.restartPolicy = { name: form.restartPolicy };
    if (form.restartPolicy === 'on-failure' && form.maxRetries.trim() !== '') spec.restartPolicy.maximumRetryCount = Number(form.maxRetries);
  }
  if (form.healthCmd.trim() !== '') {
    spec.healthcheck = { command: form.healthCmd.trim() };
    if (form.healthInterval.trim() !== '') spec.healthcheck.intervalSeconds = Number(form.healthInterval);
    if (form.healthRetries.trim() !== '') spec.healthcheck.retries = Number(form.healthRetries);
  }
  if (form.logMaxSize.trim() !== '') spec.logRotation = { maxSize: form.logMaxSize.trim().toLowerCase(), maxFile: form.logMaxFile.trim() === '' ? 1 : Number(form.logMaxFile) };
  const labels = lines(form.labels);
  if (labels.length > 0) {
    spec.labels = Object.fromEntries(labels.map(({ line }) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }
  return spec;
}
