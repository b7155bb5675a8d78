import { useEffect, useState } from 'react';

/** The hash path split into segments: `#/containers/abc` -> ['containers', 'abc']. */
export function hashSegments(hash: string): string[] {
  return hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
}

export function useHashSegments(): string[] {
  const [segments, setSegments] = useState(() => hashSegments(window.location.hash));
  useEffect(() => {
    const onHash = (): void => setSegments(hashSegments(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return segments;
}

export function hrefFor(...segments: string[]): string {
  return `#/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

export function navigate(...segments: string[]): void {
  window.location.hash = hrefFor(...segments);
}
