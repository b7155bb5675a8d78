/**
 * Healthcheck settings as dockerd reads them (moby daemon/commit.go merge, daemon/container.go
 * validateHealthCheck, daemon/health.go defaults): the request's fields over the image's, checked
 * at create, and the probe's argv and timings with dockerd's defaults filled in.
 */
import type { ContainerState, HealthConfig } from '../../store/containers/container-record';
import { invalidArgument } from '../../lib/errors';

const MS = 1_000_000;
const S = 1000 * MS;
/** moby container.MinimumDuration. */
const MINIMUM_NS = MS;

export const HEALTH_DEFAULTS = { interval: 30 * S, timeout: 30 * S, startPeriod: 0, startInterval: 5 * S, retries: 3 };

/** moby merge(): no request healthcheck takes the image's; an empty field takes the image's value. */
export function mergeHealthcheck(user: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig | undefined {
  if (!user) return image ? { ...image } : undefined;
  if (!image) return user;
  return {
    test: user.test.length > 0 ? user.test : image.test,
    interval: user.interval || image.interval,
    timeout: user.timeout || image.timeout,
    startPeriod: user.startPeriod || image.startPeriod,
    startInterval: user.startInterval || image.startInterval,
    retries: user.retries || image.retries,
  };
}

/** Config.Healthcheck as an image config carries it (moby HealthConfig, zero fields omitted). */
export function healthcheckToWire(h: HealthConfig): Record<string, unknown> {
  return {
    ...(h.test.length > 0 ? { Test: h.test } : {}),
    ...(h.interval ? { Interval: h.interval } : {}),
    ...(h.timeout ? { Timeout: h.timeout } : {}),
    ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
    ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
  };
}

/** dockerd's create-time checks (400, nothing created). */
export function validateHealthcheck(h: HealthConfig | undefined): void {
  if (!h) return;
  const fields: [string, number][] = [['Interval', h.interval], ['Timeout', h.timeout], ['StartPeriod', h.startPeriod], ['StartInterval', h.startInterval]];
  for (const [name, v] of fields) {
    if (v !== 0 && v < MINIMUM_NS) throw invalidArgument('INVALID_HEALTHCHECK', `${name} in Healthcheck cannot be less than 1ms`);
  }
  if (h.retries < 0) throw invalidArgument('INVALID_HEALTHCHECK', 'Retries in Healthcheck cannot be negative');
}

/** The probe's argv, or undefined when there is none to run (no test, `NONE`, an unknown type). */
export function probeCommand(h: HealthConfig | undefined): string[] | undefined {
  const [kind, ...rest] = h?.test ?? [];
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', ...rest];
  return undefined;
}

/** Timings in milliseconds with dockerd's defaults for the zero values. */
export function probeTimings(h: HealthConfig): { intervalMs: number; timeoutMs: number; startPeriodMs: number; startIntervalMs: number; retries: number } {
  const ms = (v: number, d: number): number => (v === 0 ? d : v) / MS;
  return {
    intervalMs: ms(h.interval, HEALTH_DEFAULTS.interval),
    timeoutMs: ms(h.timeout, HEALTH_DEFAULTS.timeout),
    startPeriodMs: ms(h.startPeriod, HEALTH_DEFAULTS.startPeriod),
    startIntervalMs: ms(h.startInterval, HEALTH_DEFAULTS.startInterval),
    retries: h.retries > 0 ? h.retries : HEALTH_DEFAULTS.retries,
  };
}

/** The `(healthy)` part of `docker ps`'s STATUS (moby Health.String()); '' without a healthcheck. */
export function healthSuffix(state: ContainerState): string {
  switch (state.health?.status) {
    case 'starting':
      return ' (health: starting)';
    case 'healthy':
      return ' (healthy)';
    case 'unhealthy':
      return ' (unhealthy)';
    default:
      return '';
  }
}

/** `--filter health=`: what a container's health reads as ('none' without a healthcheck). */
export function healthFilterValue(state: ContainerState): string {
  return state.health?.status ?? 'none';
}

/** Go's time.Duration String() for whole milliseconds and up ("30s", "1m30s", "500ms"). */
export function goDurationMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}
