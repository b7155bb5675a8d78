import type { ComposeServiceProgressView, ComposeServiceState } from '../../src-shared/ipc/models/compose';

// Compose v1 (1.29, non-TTY): `Pulling web (img)...`, `Building web`, `Creating p_web_1 ... ` then
// `Creating p_web_1  ... done|error` (names padded), `p_web_1 is up-to-date`, `ERROR: for <name>  <why>`.
const V1_PULL = /^Pulling (\S+)(?: \(.*\)\.\.\.|\s+\.\.\.\s*(done|error)?)$/;
const V1_BUILD = /^Building (\S+)$/;
const V1_CONTAINER = /^(Creating|Recreating|Starting) (\S+)\s+\.\.\.\s*(done|error)?$/;
const V1_UP_TO_DATE = /^(\S+) is up-to-date$/;
const V1_ERROR_FOR = /^ERROR: for (\S+)\s+(.*)$/;
const V1_ERROR = /^ERROR: (.*)$/;
// Compose v2 (`--progress plain`): ` Container p-web-1  Started`, ` web Pulling`, ` Service web  Building`.
const V2_CONTAINER = /^Container (\S+)\s+(Creating|Created|Recreate|Recreated|Starting|Started|Running|Waiting|Healthy|Error)$/;
const V2_PULL = /^(\S+) (Pulling|Pulled|Error)$/;
const V2_BUILD = /^Service (\S+)\s+Building$/;
const V2_ERROR = /^(?:Error response from daemon: |Error: |error: )(.*)$/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

const V2_STATES: Record<string, ComposeServiceState> = {
  Creating: 'creating',
  Created: 'creating',
  Recreate: 'creating',
  Recreated: 'creating',
  Starting: 'creating',
  Waiting: 'creating',
  Started: 'started',
  Running: 'started',
  Healthy: 'started',
  Error: 'error',
};
const FINAL: ReadonlySet<ComposeServiceState> = new Set(['started', 'error']);

/**
 * Turns a compose client's `up -d` output, line by line, into per-service states. Pure: it knows
 * the project (to map container names `p_web_1` / `p-web-1` back to services) and the services
 * `config --services` listed; it never sees the process. Lines it does not know are only output.
 */
export class ComposeOutput {
  private readonly states = new Map<string, ComposeServiceProgressView>();
  private generalError: string | undefined;
  private firstServiceError: string | undefined;
  private lastLine = '';

  constructor(
    private readonly project: string,
    services: string[],
  ) {
    for (const s of services) this.states.set(s, { service: s, state: 'waiting' });
  }

  /** Feeds one output line; returns true when a service's state changed. */
  line(raw: string): boolean {
    const text = raw.replace(ANSI, '').trim();
    if (text === '') return false;
    this.lastLine = text;
    let m: RegExpExecArray | null;
    if ((m = V1_ERROR_FOR.exec(text))) {
      const message = (m[2] ?? '').trim();
      this.firstServiceError ??= `${this.serviceOf(m[1] ?? '')}: ${message}`;
      return this.set(m[1] ?? '', 'error', message);
    }
    if ((m = V1_ERROR.exec(text))) {
      this.generalError = m[1];
      return false;
    }
    if ((m = V1_PULL.exec(text))) return this.set(m[1] ?? '', m[2] === 'error' ? 'error' : 'pulling');
    if ((m = V1_BUILD.exec(text))) return this.set(m[1] ?? '', 'building');
    if ((m = V1_CONTAINER.exec(text))) return this.set(m[2] ?? '', m[3] === 'done' ? 'started' : m[3] === 'error' ? 'error' : 'creating');
    if ((m = V1_UP_TO_DATE.exec(text))) return this.set(m[1] ?? '', 'started');
    if ((m = V2_CONTAINER.exec(text))) return this.set(m[1] ?? '', V2_STATES[m[2] ?? ''] ?? 'creating');
    if ((m = V2_BUILD.exec(text))) return this.set(m[1] ?? '', 'building');
    if ((m = V2_PULL.exec(text)) && this.states.has(m[1] ?? '')) return this.set(m[1] ?? '', m[2] === 'Error' ? 'error' : 'pulling');
    if ((m = V2_ERROR.exec(text))) this.generalError = m[1];
    return false;
  }

  services(): ComposeServiceProgressView[] {
    return [...this.states.values()].map((s) => ({ ...s }));
  }

  /**
   * Why `up` failed, in the client's words: its last `ERROR: …` line, else the first service's
   * `ERROR: for …`, else its last line (a pull error is printed bare).
   */
  failure(): string {
    return this.generalError ?? this.firstServiceError ?? (this.lastLine || 'the compose client failed without a message');
  }

  /** The client exited with an error: services that had not finished failed with it. */
  fail(): void {
    const message = this.failure();
    for (const s of this.states.values()) {
      if (FINAL.has(s.state) || s.state === 'waiting') continue;
      s.state = 'error';
      s.message ??= message;
    }
  }

  private set(name: string, state: ComposeServiceState, message?: string): boolean {
    const service = this.serviceOf(name);
    const container = service === name ? undefined : name;
    const prev = this.states.get(service);
    // An error is final for this run: a later `done` of another replica does not hide it.
    if (prev?.state === 'error' && state !== 'error') return false;
    const next: ComposeServiceProgressView = { service, state, ...(container ?? prev?.container ? { container: container ?? prev?.container } : {}), ...(message ?? prev?.message ? { message: message ?? prev?.message } : {}) };
    if (prev && prev.state === next.state && prev.container === next.container && prev.message === next.message) return false;
    this.states.set(service, next);
    return true;
  }

  /** `p_web_1` (v1) or `p-web-1` (v2) → `web`; a service name or a custom container_name stays as it is. */
  private serviceOf(name: string): string {
    if (this.states.has(name)) return name;
    for (const sep of ['_', '-']) {
      const prefix = `${this.project}${sep}`;
      const m = new RegExp(`^(.+)${sep}\\d+$`).exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
      if (m?.[1] !== undefined) return m[1];
    }
    return name;
  }
}
