import { useEffect, useState } from 'react';

/**
 * The current time, re-rendering every `intervalMs` while `enabled` (for countdowns and "ago").
 * Turning it on reads the clock at once: a value kept from long ago would make a countdown that
 * just started say "retry in 680 s" for its first interval.
 */
export function useNow(intervalMs: number, enabled = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, enabled]);
  return now;
}
