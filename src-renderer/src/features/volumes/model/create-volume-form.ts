/** The create-volume form's rules (dockerd's local driver name rule; labels as `k=v, k2=v2`). */

export type VolumeKind = 'dir' | 'tmpfs' | 'bind';

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** null when valid; empty means "let the engine generate one". */
export function validateVolumeName(name: string): string | null {
  const n = name.trim();
  if (n === '') return null;
  return NAME_RE.test(n) ? null : 'Letters, digits, _ . - only, starting with a letter or digit, at least 2 characters';
}

/** `a=1, b=2` (commas or new lines) -> {a: '1', b: '2'}; a string is the error. */
export function parseLabels(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq).trim();
    if (key === '') return `Label "${part}" has no key`;
    out[key] = eq === -1 ? '' : part.slice(eq + 1).trim();
  }
  return out;
}
