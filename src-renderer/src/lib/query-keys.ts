/**
 * Every host-scoped query key starts with `hostScope(hostId)`, so one invalidation refreshes
 * everything of a host (after its daemon comes back) without knowing the features' keys.
 */
export function hostScope(hostId: string): readonly ['host', string] {
  return ['host', hostId] as const;
}

/** The app's host list (not host-scoped). Features that add hosts (machines) refresh it through this key. */
export const HOSTS_KEY = ['hosts'] as const;
