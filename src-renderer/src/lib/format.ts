/**
 * Formatting shared by every feature's view-model mappers. Markup never formats: it renders the
 * strings these produce, so units and rounding are decided (and tested) in one place.
 */

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** Decimal units as the docker CLI prints them (`docker images`: 4.26MB). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** Binary units for memory limits and usage, as `docker stats` prints them (MiB, GiB). */
export function formatMemory(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toFixed(value >= 10 ? 0 : 1)}%`;
}

/** "3 minutes ago", as `docker ps` says it. `now` is injected so tests are deterministic. */
export function formatAgo(time: Date | number | null | undefined, now: number = Date.now()): string {
  if (time === null || time === undefined) return '—';
  const ms = typeof time === 'number' ? time : time.getTime();
  if (!Number.isFinite(ms) || ms <= 0) return '—';
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} seconds ago`;
  const steps: [number, string][] = [
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [604800, 'week'],
    [2629800, 'month'],
    [31557600, 'year'],
  ];
  let chosen: [number, string] = steps[0] as [number, string];
  for (const step of steps) if (seconds >= step[0]) chosen = step;
  const n = Math.floor(seconds / chosen[0]);
  return n === 1 ? `${chosen[1] === 'hour' ? 'an' : 'a'} ${chosen[1]} ago` : `${n} ${chosen[1]}s ago`;
}

/** The 12-hex-digit id the docker CLI shows, without the `sha256:` prefix. */
export function shortId(id: string | null | undefined): string {
  if (!id) return '—';
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** Renders an argv for display: arguments containing spaces or quotes are JSON-quoted. */
export function formatArgv(argv: readonly string[] | null | undefined): string {
  if (!argv || argv.length === 0) return '';
  return argv.map((a) => (a === '' || /[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}
