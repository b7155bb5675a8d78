export const ROUTES = [
  { id: 'containers', label: 'Containers' },
  { id: 'images', label: 'Images' },
  { id: 'mirrors', label: 'Mirrors' },
  { id: 'hosts', label: 'Hosts' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split('/')[0];
  return ROUTES.find((r) => r.id === id)?.id ?? 'containers';
}
