import { constants } from 'node:os';
import { invalidArgument } from '../../lib/errors';

const SIGNALS = constants.signals as Record<string, number>;

/**
 * Parses a Docker signal value as moby's `signal.ParseSignal`: a number ("9"), a name with or
 * without the SIG prefix, any case ("kill", "SIGTERM"), or SIGRTMIN+n / RTMAX-n.
 */
export function parseSignal(raw: string): number {
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1 || n > 64) throw invalidArgument('INVALID_SIGNAL', `Invalid signal: ${raw}`);
    return n;
  }
  const name = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
  const rt = /^SIGRTM(IN|AX)([+-]\d+)?$/.exec(name);
  if (rt) {
    const base = rt[1] === 'IN' ? 34 : 64;
    const n = base + Number(rt[2] ?? 0);
    if (n >= 34 && n <= 64) return n;
  }
  const n = SIGNALS[name];
  if (n === undefined) throw invalidArgument('INVALID_SIGNAL', `Invalid signal: ${raw}`);
  return n;
}

export const SIGKILL = 9;
export const SIGTERM = 15;
