import { createHash, createHmac } from 'node:crypto';
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Host key checking against OpenSSH known_hosts files. Berth writes accepted keys to its own file
 * (`<stateDir>/known_hosts`) and also reads the user's `~/.ssh/known_hosts`, so hosts the user
 * already trusts with `ssh` are trusted here too. Berth never writes the user's file.
 *
 * Semantics follow OpenSSH (sshconnect.c check_host_key):
 * - a line for this host with this exact key -> `known`;
 * - a line for this host with the SAME key type but another key -> `changed` (refused, never
 *   overridable from the app: it is the man-in-the-middle case);
 * - no line with this key type for this host -> `unknown` (the user may accept the fingerprint);
 * - `@revoked` lines with this key -> `changed` (refused); `@cert-authority` lines are ignored
 *   (Berth does not do host certificates).
 * Hashed host names (`|1|salt|hmac`, HashKnownHosts yes) and `*`/`?`/`!` patterns are supported.
 */

export interface HostKeyInfo {
  /** `host` for port 22, else `[host]:port`: the known_hosts spelling. */
  hostPattern: string;
  keyType: string;
  /** `SHA256:…` as OpenSSH prints it. */
  fingerprint: string;
}

export type HostKeyVerdict =
  | ({ result: 'known' } & HostKeyInfo)
  | ({ result: 'unknown' } & HostKeyInfo)
  | ({ result: 'changed'; knownFingerprint: string; file: string; line: number } & HostKeyInfo);

export interface KnownHostEntry {
  marker: '@revoked' | '@cert-authority' | null;
  hosts: string;
  keyType: string;
  key: Buffer;
  file: string;
  line: number;
}

export function hostPatternFor(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's SHA256 fingerprint: base64 of sha256(key blob), padding removed. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type is the first SSH string of the public key blob. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0];
      fields.shift();
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64) return;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0) return;
    entries.push({ marker, hosts, keyType, key, file, line: i + 1 });
  });
  return entries;
}

function globToRegExp(glob: string): RegExp {
  // Only `*` and `?` are wildcards in OpenSSH patterns; `[host]:port` brackets are literal.
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function hashedMatch(pattern: string, target: string): boolean {
  const parts = pattern.split('|');
  // |1|salt|hash -> ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1' || !parts[2] || !parts[3]) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const mac = createHmac('sha1', salt).update(target).digest('base64');
  return mac === parts[3];
}

/** Whether the comma-separated `hosts` field matches `target` (OpenSSH match_hostname: negations win). */
export function hostsFieldMatches(hosts: string, target: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(hosts, target);
  let matched = false;
  for (const p of hosts.split(',')) {
    if (p === '') continue;
    const negated = p.startsWith('!');
    const pattern = negated ? p.slice(1) : p;
    if (globToRegExp(pattern).test(target)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Pure verdict over parsed entries (exported for tests). */
export function verifyHostKey(entries: KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const hostPattern = hostPatternFor(host, port);
  const keyType = keyTypeOf(keyBlob);
  const info: HostKeyInfo = { hostPattern, keyType, fingerprint: fingerprintOf(keyBlob) };
  const forHost = entries.filter((e) => e.marker !== '@cert-authority' && hostsFieldMatches(e.hosts, hostPattern));
  const revoked = forHost.find((e) => e.marker === '@revoked' && e.key.equals(keyBlob));
  if (revoked) return { result: 'changed', ...info, knownFingerprint: fingerprintOf(revoked.key), file: revoked.file, line: revoked.line };
  if (forHost.some((e) => e.marker === null && e.key.equals(keyBlob))) return { result: 'known', ...info };
  const sameType = forHost.find((e) => e.marker === null && e.keyType === keyType);
  if (sameType) return { result: 'changed', ...info, knownFingerprint: fingerprintOf(sameType.key), file: sameType.file, line: sameType.line };
  return { result: 'unknown', ...info };
}

export interface KnownHostsStoreOptions {
  /** Berth's own file, the only one written. */
  ownFile: string;
  /** Read-only extra files, e.g. ~/.ssh/known_hosts. Missing files are fine. */
  readFiles: string[];
}

export class KnownHostsStore {
  constructor(private readonly opts: KnownHostsStoreOptions) {}

  private async load(): Promise<KnownHostEntry[]> {
    const files = [this.opts.ownFile, ...this.opts.readFiles];
    const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
    return texts.flatMap((t, i) => parseKnownHosts(t, files[i] ?? ''));
  }

  async verify(host: string, port: number, keyBlob: Buffer): Promise<HostKeyVerdict> {
    return verifyHostKey(await this.load(), host, port, keyBlob);
  }

  /** Key types on record for the host, to ask the server for one we can check (like OpenSSH's ordering). */
  async knownKeyTypes(host: string, port: number): Promise<string[]> {
    const target = hostPatternFor(host, port);
    const types = (await this.load()).filter((e) => e.marker === null && hostsFieldMatches(e.hosts, target)).map((e) => e.keyType);
    return [...new Set(types)];
  }

  /**
   * Records a key the user accepted. Refuses (returns the verdict) when a different key of the
   * same type is already on record: accepting must never silently replace a key.
   */
  async accept(host: string, port: number, keyBlob: Buffer): Promise<HostKeyVerdict> {
    const verdict = await this.verify(host, port, keyBlob);
    if (verdict.result !== 'unknown') return verdict;
    const current = await readFile(this.opts.ownFile, 'utf8').catch(() => '');
    const line = `${verdict.hostPattern} ${verdict.keyType} ${keyBlob.toString('base64')}\n`;
    const next = current === '' || current.endsWith('\n') ? current + line : `${current}\n${line}`;
    await mkdir(dirname(this.opts.ownFile), { recursive: true, mode: 0o700 });
    const tmp = `${this.opts.ownFile}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, next, { mode: 0o600 });
    await rename(tmp, this.opts.ownFile);
    return { ...verdict, result: 'known' };
  }
}
