export type TagTarget = { ok: true; repo: string; tag: string } | { ok: false; error: string };

const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Splits `host:port/repo:tag` into repo and tag with the distribution reference grammar. */
export function parseTagTarget(text: string): TagTarget {
  const value = text.trim();
  if (value === '') return { ok: false, error: 'Enter a reference.' };
  if (value.includes('@')) return { ok: false, error: 'A tag cannot contain a digest.' };
  const slash = value.lastIndexOf('/');
  const colon = value.lastIndexOf(':');
  let repo = value;
  let tag = 'latest';
  if (colon > slash) {
    repo = value.slice(0, colon);
    tag = value.slice(colon + 1);
  }
  if (!TAG.test(tag)) return { ok: false, error: `"${tag}" is not a valid tag (letters, digits, _ . -, up to 128).` };
  const parts = repo.split('/');
  const first = parts[0] ?? '';
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasHost && !HOST.test(first)) return { ok: false, error: `"${first}" is not a valid registry host.` };
  const path = hasHost ? parts.slice(1).join('/') : repo;
  if (!REPO.test(path)) return { ok: false, error: 'The repository name must be lowercase letters, digits and separators.' };
  return { ok: true, repo, tag };
}
