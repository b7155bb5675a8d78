/**
 * The order compose acts on a stack's services: dependencies first when starting, dependants
 * first when stopping. compose v2 records `depends_on` on each container as the label
 * `com.docker.compose.depends_on` = `db:service_healthy:false,cache:service_started:false`
 * (service:condition:restart). Containers without the label (compose v1, hand-made stacks) form
 * one layer: they are acted on all at once.
 */
export const DEPENDS_ON_LABEL = 'com.docker.compose.depends_on';

export interface OrderedMember {
  service: string;
  labels: Readonly<Record<string, string>>;
}

/** The services a member depends on, from its label (names only; the conditions are the engine's business). */
export function dependenciesOf(labels: Readonly<Record<string, string>>): string[] {
  const raw = labels[DEPENDS_ON_LABEL] ?? '';
  return raw
    .split(',')
    .map((entry) => entry.split(':')[0]?.trim() ?? '')
    .filter((s) => s !== '');
}

/**
 * Start layers: every member of a layer depends only on services of earlier layers (or on
 * services not in the stack, which are ignored). A cycle cannot be ordered: its members go last,
 * together, rather than never.
 */
export function startLayers<M extends OrderedMember>(members: readonly M[]): M[][] {
  const services = new Set(members.map((m) => m.service));
  const deps = new Map(members.map((m) => [m, dependenciesOf(m.labels).filter((d) => services.has(d) && d !== m.service)]));
  const done = new Set<string>();
  const layers: M[][] = [];
  let left = [...members];
  while (left.length > 0) {
    const ready = left.filter((m) => (deps.get(m) ?? []).every((d) => done.has(d)));
    const layer = ready.length > 0 ? ready : left;
    layers.push(layer);
    // A service is done only when all its replicas are.
    left = left.filter((m) => !layer.includes(m));
    for (const m of layer) if (!left.some((o) => o.service === m.service)) done.add(m.service);
  }
  return layers;
}
