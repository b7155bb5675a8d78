import type { ConfigUpdateRequest } from '../../../../src-shared/docker-api/berth-config';
import type { ConfigSnapshot } from '../../config/config-store';
import { mergeMirrors } from '../../config/config-store';
import { ConfigValidationError, type ParsedDaemonConfig } from '../../config/daemon-config-parse';
import type { DaemonConfig } from '../../config/daemon-config';
import type { MirrorHealth } from '../../config/mirror-health';

/** The slice of ConfigStore this service needs (a fake in route tests). */
export interface ConfigStorePort {
  current(): DaemonConfig;
  snapshot(): ConfigSnapshot;
  validate(raw: string): ParsedDaemonConfig;
  replaceRaw(raw: string): Promise<ConfigSnapshot>;
  replaceMirrors(update: Extract<ConfigUpdateRequest, { registryMirrors: string[] }>): Promise<ConfigSnapshot>;
}

export type MirrorChecker = (config: DaemonConfig) => Promise<MirrorHealth[]>;

export type ValidationOutcome = { valid: true; parsed: ParsedDaemonConfig } | { valid: false; error: ConfigValidationError };

/** Use cases behind the Berth config routes: read, validate, replace the config, and probe its mirrors. */
export class ConfigService {
  constructor(
    private readonly store: ConfigStorePort,
    private readonly checkMirrors: MirrorChecker,
  ) {}

  snapshot(): ConfigSnapshot {
    return this.store.snapshot();
  }

  /** Applies a raw daemon.json text or a structured mirrors update. Throws ConfigValidationError; the old config stays then. */
  replace(request: ConfigUpdateRequest): Promise<ConfigSnapshot> {
    return 'raw' in request ? this.store.replaceRaw(request.raw) : this.store.replaceMirrors(request);
  }

  /** What `replace` would do, without doing it. */
  validate(request: ConfigUpdateRequest): ValidationOutcome {
    const raw = 'raw' in request ? request.raw : mergeMirrors(this.store.snapshot().raw, request);
    try {
      return { valid: true, parsed: this.store.validate(raw) };
    } catch (err) {
      if (err instanceof ConfigValidationError) return { valid: false, error: err };
      throw err;
    }
  }

  mirrorHealth(): Promise<MirrorHealth[]> {
    return this.checkMirrors(this.store.current());
  }
}
