import { invalidArgument } from '../../lib/errors';
import { credentialsFromAuthConfig, type RegistryCredentials } from '../../registry/auth';
import type { BuildOptions } from '../../engine/build/build-types';
import type { BuildCacheUsage } from '../../engine/build/build-service';
import { queryBool, queryInt } from '../http';

function jsonParam<T>(query: URLSearchParams, name: string, check: (v: unknown) => v is T, fallback: T): T {
  const raw = query.get(name);
  if (raw === null || raw === '' || raw === 'null') return fallback;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw invalidArgument('INVALID_PARAMETER', `invalid value for ${name}: not JSON`);
  }
  if (!check(v)) throw invalidArgument('INVALID_PARAMETER', `invalid value for ${name}`);
  return v;
}

const isStringMap = (v: unknown): v is Record<string, string | null> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x === 'string');
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isAnyList = (v: unknown): v is unknown[] => Array.isArray(v);

/** Docker Hub's key in auth maps, and what `docker.io` references resolve to. */
const HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** X-Registry-Config (base64url JSON: registry -> AuthConfig) as a lookup by registry host. */
export function registryConfigLookup(header: string | undefined): (host: string) => RegistryCredentials | undefined {
  if (header === undefined || header.trim() === '') return () => undefined;
  let map: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(Buffer.from(header.trim().replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null) map = parsed as Record<string, unknown>;
  } catch {
    throw invalidArgument('INVALID_REGISTRY_CONFIG', 'X-Registry-Config is not base64-encoded JSON');
  }
  const byHost = new Map<string, RegistryCredentials>();
  for (const [key, cfg] of Object.entries(map)) {
    const creds = credentialsFromAuthConfig(cfg);
    if (!creds) continue;
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    byHost.set(HUB_KEYS.includes(key) || HUB_KEYS.includes(host) ? 'docker.io' : host, creds);
  }
  return (host) => byHost.get(HUB_KEYS.includes(host) ? 'docker.io' : host);
}

/**
 * The `/build` query as engine options. Options berthd cannot honour with a non-default value are
 * refused with the parameter named (BuildKit's `version=2`, `remote`, `squash`, `cachefrom`, ulimits…).
 */
export function toBuildOptions(query: URLSearchParams, registryConfig: string | undefined): BuildOptions & { platform?: string } {
  const refuse = (name: string, why: string): never => {
    throw invalidArgument('BUILD_OPTION_UNSUPPORTED', `${name}: ${why}`);
  };
  const version = query.get('version');
  if (version !== null && version !== '' && version !== '1') refuse('version', 'only the classic builder (version=1) is available; BuildKit sessions are not supported');
  const remote = query.get('remote');
  if (remote !== null && remote !== '') refuse('remote', 'remote build contexts are not supported; send the context as the request body');
  if (queryBool(query, 'squash')) refuse('squash', 'squashing build results is not supported');
  const cacheFrom = jsonParam(query, 'cachefrom', isStringList, []);
  if (cacheFrom.length > 0) refuse('cachefrom', 'cache sources from other images are not supported; the local build cache is used');
  const ulimits = jsonParam(query, 'ulimits', isAnyList, []);
  if (ulimits.length > 0) refuse('ulimits', 'ulimits for build steps are not supported');
  const cgroupParent = query.get('cgroupparent');
  if (cgroupParent !== null && cgroupParent !== '') refuse('cgroupparent', 'a cgroup parent for build steps is not supported');
  const isolation = query.get('isolation');
  if (isolation !== null && isolation !== '' && isolation !== 'default') refuse('isolation', `isolation ${isolation} is not supported on Linux`);
  const outputs = query.get('outputs');
  if (outputs !== null && outputs !== '' && outputs !== '[]') refuse('outputs', 'build outputs need BuildKit');
  const buildArgs = jsonParam(query, 'buildargs', isStringMap, {});
  const labels = jsonParam(query, 'labels', isStringMap, {});
  const extraHosts = (query.getAll('extrahosts').flatMap((h) => h.split(',')) ?? []).map((h) => h.trim()).filter((h) => h !== '');
  const platform = query.get('platform') ?? undefined;
  const dockerfile = query.get('dockerfile') ?? undefined;
  const target = query.get('target') ?? undefined;
  return {
    tags: query.getAll('t').filter((t) => t !== ''),
    ...(dockerfile !== undefined && dockerfile !== '' ? { dockerfile } : {}),
    buildArgs: new Map(Object.entries(buildArgs)),
    ...(target !== undefined && target !== '' ? { target } : {}),
    noCache: queryBool(query, 'nocache'),
    pull: queryBool(query, 'pull'),
    rm: queryBool(query, 'rm', true),
    forceRm: queryBool(query, 'forcerm'),
    labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, v ?? ''])),
    networkMode: query.get('networkmode') || 'default',
    resources: {
      memory: queryInt(query, 'memory') ?? 0,
      memorySwap: queryInt(query, 'memswap') ?? 0,
      cpuShares: queryInt(query, 'cpushares') ?? 0,
      cpuPeriod: queryInt(query, 'cpuperiod') ?? 0,
      cpuQuota: queryInt(query, 'cpuquota') ?? 0,
      cpusetCpus: query.get('cpusetcpus') ?? '',
      cpusetMems: query.get('cpusetmems') ?? '',
    },
    shmSize: queryInt(query, 'shmsize') ?? 0,
    extraHosts,
    quiet: queryBool(query, 'q'),
    credentials: registryConfigLookup(registryConfig),
    ...(platform !== undefined && platform !== '' ? { platform } : {}),
  };
}

/** `docker system df`'s BuildCache rows. */
export function toBuildCacheDto(r: BuildCacheUsage): Record<string, unknown> {
  return {
    ID: r.id,
    Parent: '',
    Parents: null,
    Type: 'regular',
    Description: r.description,
    InUse: r.inUse,
    Shared: r.shared,
    Size: r.size,
    CreatedAt: new Date(r.createdAt).toISOString(),
    LastUsedAt: new Date(r.lastUsedAt).toISOString(),
    UsageCount: r.usageCount,
  };
}
