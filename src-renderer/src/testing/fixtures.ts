import type { ContainerView } from '../../../src-shared/ipc/models/containers';
import type { ImageDetailView, ImageView } from '../../../src-shared/ipc/models/images';
import type { NetworkView } from '../../../src-shared/ipc/models/networks';

export function fakeContainer(i: number, over: Partial<ContainerView> = {}): ContainerView {
  const id = (i.toString(16).padStart(8, '0') + 'c'.repeat(56)).slice(0, 64);
  return {
    id,
    shortId: id.slice(0, 12),
    name: `app-${i}`,
    image: i % 3 === 0 ? 'busybox:latest' : `127.0.0.1:5000/svc-${i % 7}:1.${i % 5}`,
    imageId: `sha256:${'b'.repeat(64)}`,
    command: 'sleep 1000',
    created: 1_700_000_000_000 - i * 60_000,
    state: i % 4 === 0 ? 'exited' : 'running',
    status: i % 4 === 0 ? 'Exited (0) 5 minutes ago' : 'Up 5 minutes',
    labels: {},
    networkMode: 'none',
    ports: [],
    ...over,
  };
}

export function fakeContainers(n: number): ContainerView[] {
  return Array.from({ length: n }, (_, i) => fakeContainer(i));
}

export function fakeImage(id: string, repoTags: string[], over: Partial<ImageView> = {}): ImageView {
  return { id, shortId: id.slice(7, 19), repoTags, repoDigests: [], size: 4_400_000, sharedSize: 0, uniqueSize: 4_400_000, created: 1_700_000_000_000, containers: 0, dangling: repoTags.length === 0, ...over };
}

export function fakeImageDetail(id: string, repoTags: string[], config: { cmd: string[] | null; entrypoint?: string[] | null }): ImageDetailView {
  return {
    id,
    repoTags,
    repoDigests: [],
    created: 1_700_000_000_000,
    size: 4_400_000,
    architecture: 'amd64',
    os: 'linux',
    config: { cmd: config.cmd, entrypoint: config.entrypoint ?? null, env: [], workingDir: '', user: '', labels: {}, exposedPorts: [] },
    layers: [],
    pid1Warning: null,
    raw: {},
  };
}

/** A user-defined bridge network `app` on 172.20.0.0/16 with no containers, unless `over` says otherwise. */
export function fakeNetwork(over: Partial<NetworkView> = {}): NetworkView {
  return {
    id: 'a'.repeat(64),
    name: 'app',
    driver: 'bridge',
    predefined: false,
    internal: false,
    attachable: false,
    created: 0,
    subnets: [{ subnet: '172.20.0.0/16', gateway: '172.20.0.1', ipRange: '' }],
    labels: {},
    options: {},
    endpoints: [],
    ...over,
  };
}
