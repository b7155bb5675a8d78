import { useEffect, useState } from 'react';

/** Whether a CSS media query matches, live (false where matchMedia is missing, e.g. tests). */
export function useMediaQuery(query: string): boolean {
  const get = (): boolean => (typeof window.matchMedia === 'function' ? window.matchMedia(query).matches : false);
  const [matches, setMatches] = useState(get);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const mq = window.matchMedia(query);
    const on = (): void => setMatches(mq.matches);
    on();
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, [query]);
  return matches;
}
