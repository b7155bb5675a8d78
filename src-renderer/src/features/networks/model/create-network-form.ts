/** The Create network dialog's fields, checked before anything is sent. */
export interface CreateNetworkForm {
  name: string;
  subnet: string;
  gateway: string;
  ipRange: string;
  internal: boolean;
  /** `key=value, key2=value2`. */
  labels: string;
}

export type CreateNetworkErrors = Partial<Record<'name' | 'subnet' | 'gateway' | 'ipRange' | 'labels', string>>;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function parseIp(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function parseCidr(text: string): { base: number; bits: number } | null {
  const [ip, bits, extra] = text.split('/');
  if (extra !== undefined || ip === undefined || bits === undefined || !/^\d{1,2}$/.test(bits)) return null;
  const base = parseIp(ip);
  const n = Number(bits);
  if (base === null || n < 8 || n > 30) return null;
  return { base, bits: n };
}

function inside(ip: number, cidr: { base: number; bits: number }): boolean {
  const mask = cidr.bits === 0 ? 0 : (~0 << (32 - cidr.bits)) >>> 0;
  return (ip & mask) >>> 0 === (cidr.base & mask) >>> 0;
}

export function parseNetworkLabels(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `"${part}": expected key=value`;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** dockerd's rules: a gateway or IP range needs a subnet and must lie inside it. */
export function validateCreateNetwork(f: CreateNetworkForm): CreateNetworkErrors {
  const errors: CreateNetworkErrors = {};
  const name = f.name.trim();
  if (name === '') errors.name = 'Name the network.';
  else if (!NAME.test(name)) errors.name = 'Letters, digits, and _ . - only, starting with a letter or digit.';
  else if (['bridge', 'host', 'none', 'default'].includes(name)) errors.name = `"${name}" is a predefined network.`;
  const subnet = f.subnet.trim() === '' ? null : parseCidr(f.subnet.trim());
  if (f.subnet.trim() !== '' && subnet === null) errors.subnet = 'An IPv4 subnet such as 10.5.0.0/16 (/8 to /30).';
  if (f.gateway.trim() !== '') {
    const gw = parseIp(f.gateway.trim());
    if (gw === null) errors.gateway = 'An IPv4 address such as 10.5.0.1.';
    else if (f.subnet.trim() === '') errors.gateway = 'A gateway needs a subnet.';
    else if (subnet && !inside(gw, subnet)) errors.gateway = `Not inside ${f.subnet.trim()}.`;
  }
  if (f.ipRange.trim() !== '') {
    const range = parseCidr(f.ipRange.trim());
    if (range === null) errors.ipRange = 'An IPv4 range such as 10.5.1.0/24.';
    else if (f.subnet.trim() === '') errors.ipRange = 'An IP range needs a subnet.';
    else if (subnet && (range.bits < subnet.bits || !inside(range.base, subnet))) errors.ipRange = `Not inside ${f.subnet.trim()}.`;
  }
  if (typeof parseNetworkLabels(f.labels) === 'string') errors.labels = parseNetworkLabels(f.labels) as string;
  return errors;
}
