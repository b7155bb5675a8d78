import {
  insecureRegistryProblem,
  mirrorUrlProblem,
  registryHostProblem,
  type ConfigUpdateRequest,
  type MirrorsConfigResponse,
} from '../../src-shared/docker-api/berth-config';
import type { MirrorEntryError, MirrorsConfigView, MirrorsHealthView, MirrorsUpdate, MirrorsValidationView } from '../../src-shared/ipc/models/mirrors';
import { isRouteMissing } from '../engine-client/engine-client';
import { AppError } from '../lib/app-error';
import type { HostsService } from './hosts-service';

function toView(r: MirrorsConfigResponse): MirrorsConfigView {
  return {
    supported: true,
    registryMirrors: r.registryMirrors,
    mirrors: r.mirrors ?? {},
    insecureRegistries: r.insecureRegistries ?? [],
    raw: r.raw,
    warnings: r.warnings ?? [],
  };
}

const strings = (v: unknown): string[] | null => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : null);

/**
 * Per-entry checks with the same rules berthd applies (src-shared/docker-api/berth-config), so
 * the form can put each message next to its entry. For raw JSON only the standard keys are
 * checked here; berthd's validate answer is authoritative either way.
 */
export function entryErrors(update: MirrorsUpdate): MirrorEntryError[] {
  let registryMirrors: string[] | null;
  let insecure: string[] | null;
  let mirrors: Record<string, string[]> | null = null;
  if ('raw' in update) {
    let doc: unknown;
    try {
      doc = JSON.parse(update.raw);
    } catch {
      return []; // Syntax errors come back from berthd with a position.
    }
    if (typeof doc !== 'object' || doc === null) return [];
    const d = doc as Record<string, unknown>;
    registryMirrors = strings(d['registry-mirrors']);
    insecure = strings(d['insecure-registries']);
  } else {
    registryMirrors = update.registryMirrors;
    insecure = update.insecureRegistries ?? null;
    mirrors = update.mirrors ?? null;
  }
  const errors: MirrorEntryError[] = [];
  registryMirrors?.forEach((value, index) => {
    const p = mirrorUrlProblem(value);
    if (p) errors.push({ list: 'registryMirrors', index, value, message: `"${value}" ${p}` });
  });
  insecure?.forEach((value, index) => {
    const p = insecureRegistryProblem(value);
    if (p) errors.push({ list: 'insecureRegistries', index, value, message: `"${value}" ${p}` });
  });
  for (const [host, urls] of Object.entries(mirrors ?? {})) {
    const hp = registryHostProblem(host);
    if (hp) errors.push({ list: `mirrors.${host}`, index: -1, value: host, message: `"${host}" ${hp}` });
    urls.forEach((value, index) => {
      const p = mirrorUrlProblem(value);
      if (p) errors.push({ list: `mirrors.${host}`, index, value, message: `"${value}" ${p}` });
    });
  }
  return errors;
}

function toRequest(update: MirrorsUpdate): ConfigUpdateRequest {
  return 'raw' in update ? { raw: update.raw } : { ...update };
}

/** Registry mirrors settings of a host: berthd's `/berth/v1/config/*` and mirror health. */
export class MirrorsService {
  constructor(private readonly hosts: HostsService) {}

  async get(hostId: string): Promise<MirrorsConfigView> {
    const client = this.hosts.client(hostId);
    const cfg = await client.mirrorsConfig();
    if (cfg) return toView(cfg);
    // Not berthd (dockerd): read-only, from /info.
    const info = await client.info();
    return {
      supported: false,
      registryMirrors: info.RegistryConfig?.Mirrors ?? [],
      mirrors: {},
      insecureRegistries: info.RegistryConfig?.InsecureRegistryCIDRs ?? [],
      raw: '',
      warnings: [],
    };
  }

  async validate(hostId: string, update: MirrorsUpdate): Promise<MirrorsValidationView> {
    const local = entryErrors(update);
    let remote;
    try {
      remote = await this.hosts.client(hostId).validateMirrorsConfig(toRequest(update));
    } catch (err) {
      if (isRouteMissing(err)) throw unsupported();
      throw err;
    }
    return {
      valid: remote.valid && local.length === 0,
      ...(remote.message ? { message: remote.message } : local[0] ? { message: local[0].message } : {}),
      ...(remote.key ? { key: remote.key } : {}),
      ...(remote.position ? { position: remote.position } : {}),
      entryErrors: local,
      warnings: remote.warnings ?? [],
    };
  }

  /** Validates, then applies; an invalid config is refused (InvalidArgument) and the old one stays. */
  async apply(hostId: string, update: MirrorsUpdate): Promise<MirrorsConfigView> {
    const check = await this.validate(hostId, update);
    if (!check.valid) throw new AppError('InvalidArgument', 'INVALID_CONFIG', check.message ?? 'invalid configuration');
    try {
      return toView(await this.hosts.client(hostId).putMirrorsConfig(toRequest(update)));
    } catch (err) {
      if (isRouteMissing(err)) throw unsupported();
      throw err;
    }
  }

  async health(hostId: string): Promise<MirrorsHealthView> {
    try {
      const h = await this.hosts.client(hostId).mirrorsHealth();
      return { supported: true, checkedAt: Date.parse(h.checkedAt) || Date.now(), mirrors: h.mirrors.map((m) => ({ ...m })) };
    } catch (err) {
      if (isRouteMissing(err)) return { supported: false, checkedAt: Date.now(), mirrors: [] };
      throw err;
    }
  }
}

function unsupported(): AppError {
  return new AppError('NotImplemented', 'MIRRORS_UNSUPPORTED', 'this engine does not serve Berth\'s mirrors settings (it is not berthd); edit its daemon.json and restart it');
}
