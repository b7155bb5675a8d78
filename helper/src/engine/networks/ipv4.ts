/** IPv4 arithmetic for IPAM (addresses as unsigned 32-bit numbers). */
import { invalidArgument } from '../../lib/errors';

export interface Cidr {
  /** Network address (host bits cleared). */
  base: number;
  prefix: number;
}

export function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/n"; `field` names the option in the error. Host bits must be clear unless `loose`. */
export function parseCidr(s: string, field: string, loose = false): Cidr {
  const [ip = '', len = ''] = s.split('/');
  const addr = parseIp(ip);
  const prefix = /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (addr === undefined || !(prefix >= 0 && prefix <= 32)) throw invalidArgument('INVALID_CIDR', `invalid ${field} ${s}: must be an IPv4 CIDR (IPv6 is not supported by berthd)`);
  const base = (addr & mask(prefix)) >>> 0;
  if (!loose && base !== addr) throw invalidArgument('INVALID_CIDR', `invalid ${field} ${s}: it should be ${formatIp(base)}/${prefix}`);
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

/** First and last assignable host addresses (network and broadcast excluded for prefixes < 31). */
export function hostRange(c: Cidr): { first: number; last: number } {
  const size = 2 ** (32 - c.prefix);
  if (c.prefix >= 31) return { first: c.base, last: c.base + size - 1 };
  return { first: c.base + 1, last: c.base + size - 2 };
}

/**
 * dockerd's default address pools: 172.17-31.0.0/16, then 192.168.0.0/16 split in /20s. The
 * default bridge and each new network take the first pool that overlaps neither a route of the
 * host nor another network.
 */
export function defaultPools(): Cidr[] {
  const pools: Cidr[] = [];
  for (let b = 17; b <= 31; b++) pools.push({ base: ((172 << 24) >>> 0) + (b << 16), prefix: 16 });
  for (let c = 0; c < 256; c += 16) pools.push({ base: ((192 << 24) >>> 0) + (168 << 16) + (c << 8), prefix: 20 });
  return pools;
}

/** A MAC derived from the IPv4 as dockerd does (02:42 + the four bytes). */
export function macFromIp(ip: number): string {
  return ['02', '42', ...[ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
