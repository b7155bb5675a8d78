/** Config.Healthcheck and State.Health on the wire (moby HealthConfig and Health, omitempty as there). */
import type { HealthcheckDto } from '../../../../src-shared/docker-api/containers';
import type { HealthConfig, HealthState } from '../../store/containers/container-record';
import { isDefaultValue } from './create-support';
import { healthcheckToWire } from '../../engine/containers/health-config';

/** The create body's Healthcheck; an absent or all-zero one leaves the image's in force. */
export function toHealthConfig(dto: HealthcheckDto | null | undefined): HealthConfig | undefined {
  if (!dto || isDefaultValue(dto)) return undefined;
  return {
    test: dto.Test ?? [],
    interval: dto.Interval ?? 0,
    timeout: dto.Timeout ?? 0,
    startPeriod: dto.StartPeriod ?? 0,
    startInterval: dto.StartInterval ?? 0,
    retries: dto.Retries ?? 0,
  };
}

export const toHealthcheckDto = (h: HealthConfig): Record<string, unknown> => healthcheckToWire(h);

export function toHealthStateDto(h: HealthState): { Status: string; FailingStreak: number; Log: { Start: string; End: string; ExitCode: number; Output: string }[] } {
  return {
    Status: h.status,
    FailingStreak: h.failingStreak,
    Log: h.log.map((r) => ({ Start: r.start, End: r.end, ExitCode: r.exitCode, Output: r.output })),
  };
}
