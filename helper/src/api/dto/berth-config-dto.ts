import type {
  ConfigValidateResponse,
  MirrorsConfigResponse,
  MirrorsHealthResponse,
} from '../../../../src-shared/docker-api/berth-config';
import type { ConfigSnapshot } from '../../config/config-store';
import type { DaemonConfig } from '../../config/daemon-config';
import type { MirrorHealth } from '../../config/mirror-health';
import type { ValidationOutcome } from '../../engine/config/config-service';

function mirrorFields(config: DaemonConfig): Pick<MirrorsConfigResponse, 'registryMirrors' | 'mirrors' | 'insecureRegistries'> {
  return { registryMirrors: config.registryMirrors, mirrors: config.mirrors, insecureRegistries: config.insecureRegistries };
}

export function toMirrorsConfigResponse(s: ConfigSnapshot): MirrorsConfigResponse {
  return { ...mirrorFields(s.config), raw: s.raw, warnings: s.warnings };
}

export function toConfigValidateResponse(outcome: ValidationOutcome): ConfigValidateResponse {
  if (outcome.valid) return { valid: true, warnings: outcome.parsed.warnings, config: mirrorFields(outcome.parsed.config) };
  const { error } = outcome;
  return {
    valid: false,
    message: error.message,
    warnings: [],
    ...(error.key !== undefined ? { key: error.key } : {}),
    ...(error.position !== undefined ? { position: error.position } : {}),
  };
}

export function toMirrorsHealthResponse(rows: MirrorHealth[], checkedAt: Date): MirrorsHealthResponse {
  return {
    checkedAt: checkedAt.toISOString(),
    mirrors: rows.map((r) => ({ url: r.url, registry: r.registry, reachable: r.reachable, latencyMs: r.latencyMs, status: r.status, error: r.error })),
  };
}
