/**
 * Build arguments with the classic builder's rules (moby builder/dockerfile/buildargs.go):
 * - a `--build-arg` value is used only once an `ARG` of that name is in scope; else the ARG's default;
 * - ARGs before the first FROM are "meta" args: usable in FROM lines, and inside a stage only after
 *   a bare `ARG name` brings them in (taking the meta value);
 * - the proxy variables are predefined: usable in RUN without an ARG, but kept out of the image
 *   history and cache key unless an ARG names them;
 * - a `--build-arg` no ARG ever consumed is reported at the end (dockerd's warning).
 */
export const BUILTIN_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'] as const;

const BUILTIN = new Set<string>(BUILTIN_ARGS);

export class BuildArgs {
  /** Declared in the current stage: name -> default (undefined = declared without one). */
  private allowed = new Map<string, string | undefined>();
  private readonly meta = new Map<string, string | undefined>();
  private readonly referenced = new Set<string>();
  /** `--build-arg` values; null = given without a value and absent from the client's env. */
  constructor(private readonly options: ReadonlyMap<string, string | null>) {}

  /** A new stage: declarations (not meta args or references) are forgotten. */
  resetStage(): void {
    this.allowed = new Map();
  }

  addMeta(name: string, value: string | undefined): void {
    this.meta.set(name, value);
    this.referenced.add(name);
  }

  addArg(name: string, value: string | undefined): void {
    this.allowed.set(name, value);
    this.referenced.add(name);
  }

  /** The value of a meta arg for FROM lines. */
  metaValues(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, def] of this.meta) {
      const v = this.valueOf(name, def, true);
      if (v !== undefined) out.set(name, v);
    }
    return out;
  }

  private valueOf(name: string, def: string | undefined, forMeta: boolean): string | undefined {
    const opt = this.options.get(name);
    if (opt !== undefined && opt !== null) return opt;
    if (def === undefined && !forMeta) {
      const m = this.meta.get(name);
      if (m !== undefined) return this.options.get(name) ?? m;
      return undefined;
    }
    return def;
  }

  /** Every arg with a value in the current stage (declared ones, plus predefined ones given on the command line). */
  allAllowed(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [name, def] of this.allowed) {
      const v = this.valueOf(name, def, false);
      if (v !== undefined) out.set(name, v);
    }
    for (const name of BUILTIN) {
      if (this.allowed.has(name)) continue;
      const v = this.options.get(name);
      if (v !== undefined && v !== null) out.set(name, v);
    }
    return out;
  }

  /** `KEY=value` for the args not overridden by an ENV of the same name (moby FilterAllowed). */
  filterAllowed(configEnv: readonly string[]): string[] {
    const keys = new Set(configEnv.map((kv) => kv.split('=', 1)[0]));
    return [...this.allAllowed()].filter(([k]) => !keys.has(k)).map(([k, v]) => `${k}=${v}`);
  }

  /** Predefined proxy args stay out of history and the cache key unless an ARG names them. */
  isReferencedOrNotBuiltin(name: string): boolean {
    return !BUILTIN.has(name) || this.referenced.has(name);
  }

  /** `--build-arg` names that no ARG consumed (the predefined ones never count as unused). */
  unreferenced(): string[] {
    return [...this.options.keys()].filter((k) => !this.referenced.has(k) && !BUILTIN.has(k)).sort();
  }
}
