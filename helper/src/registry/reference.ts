import { invalidArgument } from '../lib/errors';

/**
 * An image reference, normalised the way Docker does it (distribution/reference `ParseNormalizedNamed`):
 * `busybox` is `docker.io/library/busybox`, `user/app` is `docker.io/user/app`, `localhost:5000/app`
 * keeps its host. `tag` and `digest` are both optional; a reference may carry both (`repo:tag@sha256:…`).
 * Immutable plain value; render it with `referenceString` / `familiarString`.
 */
export interface ImageReference {
  /** Registry host[:port], e.g. `docker.io`, `127.0.0.1:5000`, `ghcr.io`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

// Grammar from distribution/reference regexp.go.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})(?::[0-9]+)?`;
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const SHA256_DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const ID_RE = /^[0-9a-f]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

function invalidRef(ref: string, why?: string): never {
  throw invalidArgument('INVALID_REFERENCE', why ? `invalid reference format: ${why}` : `invalid reference format: ${JSON.stringify(ref)}`);
}

/** True for a bare 64-hex image ID, which Docker refuses as a repository name. */
export function isImageIdLike(s: string): boolean {
  return ID_RE.test(s);
}

export function isSha256Digest(s: string): boolean {
  return SHA256_DIGEST_RE.test(s);
}

/** Splits `name` into domain and remainder exactly as `splitDockerDomain` does. */
function splitDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  const first = i === -1 ? '' : name.slice(0, i);
  let domain: string;
  let remainder: string;
  if (i === -1 || (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DOCKER_HUB_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === 'index.docker.io') domain = DOCKER_HUB_DOMAIN;
  if (domain === DOCKER_HUB_DOMAIN && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/**
 * Parses a user-supplied reference (`busybox`, `busybox:1.36`, `127.0.0.1:5000/x/y@sha256:…`) into
 * its normalised form. No default tag is added: callers decide (see `withDefaultTag`). Throws
 * InvalidArgument (`INVALID_REFERENCE`) with Docker's wording for anything malformed.
 */
export function parseReference(input: string): ImageReference {
  if (input === '') invalidRef(input, 'repository name must have at least one component');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) invalidRef(input);
    if (digest.startsWith('sha256:') && !SHA256_DIGEST_RE.test(digest)) invalidRef(input, 'invalid checksum digest format');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1 && colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) invalidRef(input);
  }
  if (rest === '') invalidRef(input, 'repository name must have at least one component');
  const { domain, remainder } = splitDomain(rest);
  if (remainder.toLowerCase() !== remainder) invalidRef(input, `repository name (${remainder}) must be lowercase`);
  if (!DOMAIN_RE.test(domain) || !PATH_RE.test(remainder)) invalidRef(input);
  if (domain === DOCKER_HUB_DOMAIN && isImageIdLike(remainder.replace(/^library\//, ''))) {
    invalidRef(input, `cannot use a 64-hex image ID as a repository name: ${remainder.replace(/^library\//, '')}`);
  }
  if (domain.length + 1 + remainder.length > NAME_TOTAL_LENGTH_MAX) invalidRef(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  const ref: ImageReference = { domain, path: remainder };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `latest` when neither tag nor digest is given (Docker's `TagNameOnly`). */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** `docker.io/library/busybox` — the repository name without tag or digest. */
export function repositoryName(ref: Pick<ImageReference, 'domain' | 'path'>): string {
  return `${ref.domain}/${ref.path}`;
}

/** Fully qualified string: `docker.io/library/busybox:latest`, `host:5000/x@sha256:…`. */
export function referenceString(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form users type and `docker images` prints: `busybox`, `user/app`, `ghcr.io/o/r`. */
export function familiarName(ref: Pick<ImageReference, 'domain' | 'path'>): string {
  if (ref.domain !== DOCKER_HUB_DOMAIN) return repositoryName(ref);
  return ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice('library/'.length) : ref.path;
}

export function familiarString(ref: ImageReference): string {
  return `${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/**
 * The reference of `POST /images/create?fromImage=…&tag=…` (moby `postImagesCreate`): a `tag`
 * that parses as a digest is a digest, else a tag; with neither, `latest`.
 */
export function referenceFromPullQuery(fromImage: string, tag: string | undefined): ImageReference {
  const ref = parseReference(fromImage);
  if (tag === undefined || tag === '') return withDefaultTag(ref);
  if (DIGEST_RE.test(tag)) {
    if (!SHA256_DIGEST_RE.test(tag)) invalidRef(tag, 'invalid checksum digest format');
    return { domain: ref.domain, path: ref.path, digest: tag };
  }
  if (!TAG_RE.test(tag)) invalidRef(tag);
  return { domain: ref.domain, path: ref.path, tag };
}

/** Validates a bare tag (e.g. `docker tag`'s `tag` query parameter). */
export function validateTag(tag: string): string {
  if (!TAG_RE.test(tag)) invalidRef(tag);
  return tag;
}
