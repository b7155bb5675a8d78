/**
 * Compose stacks: the containers that share the label `com.docker.compose.project`, as
 * docker-compose (v1 and v2) writes it. Berth does not keep any stack state of its own: a stack
 * exists while one of its containers does, and everything here is derived from compose labels.
 */

/** The labels compose puts on what it creates (containers, networks, volumes). */
export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  /** The replica number, `1` for an unscaled service. */
  containerNumber: 'com.docker.compose.container-number',
  /** On networks and volumes: the name in the compose file (`default`, `data`). */
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

export interface StackArgs {
  hostId: string;
  /** The compose project name (the label's value). */
  project: string;
}

/** What a stack-wide action did; a failure on one member does not stop the others. */
export interface StackActionResultView {
  /** Names of the containers acted on. */
  containers: string[];
  /** `stacks:remove` only: networks removed (`<project>_*` with the project label). */
  networksRemoved: string[];
  /** One entry per container or network the action failed on. */
  failures: { name: string; message: string }[];
}

export interface StackNetworkView {
  id: string;
  name: string;
  driver: string;
  internal: boolean;
  /** Subnets from IPAM, e.g. `172.20.0.0/16`. */
  subnets: string[];
}

export interface StackVolumeView {
  name: string;
  driver: string;
  /** The name in the compose file (`com.docker.compose.volume`), or the name when absent. */
  composeName: string;
  mountpoint: string;
}

/** The stack's networks and volumes, found by `label=com.docker.compose.project=<project>`. */
export interface StackResourcesView {
  networks: StackNetworkView[];
  volumes: StackVolumeView[];
}
