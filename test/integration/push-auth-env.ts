/**
 * Shared set-up for the push-login and push-token-auth suites: a registry that wants credentials
 * (started by the suite's `startAuth`: htpasswd or token), a plain loopback registry holding
 * library/busybox to pull from, a berthd, and an empty DOCKER_CONFIG for `docker login` to store
 * into. Everything started here is stopped by `cleanup()`, also when set-up fails halfway.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_REGISTRY_USER, type AuthRegistryHandle } from '../harness/auth-registry';
import { startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker, type DockerResult } from '../harness/docker-cli';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

export interface PushAuthEnv<R extends AuthRegistryHandle> {
  /** The registry that requires credentials. */
  registry: R;
  /** Anonymous registry with `library/busybox:latest`. */
  source: RegistryHandle;
  d: BerthdHandle;
  /** DOCKER_CONFIG dir that `login` stores credentials in. */
  dockerConfig: string;
  /** `docker login` to `registry` as TEST_REGISTRY_USER with `password`, storing into `dockerConfig`. */
  login: (password: string) => Promise<DockerResult>;
  /** Pulls busybox from `source` into berthd and tags it `ref`; throws if either fails. */
  tagBusyboxAs: (ref: string) => Promise<void>;
  cleanup: () => Promise<void>;
}

export async function startPushAuthEnv<R extends AuthRegistryHandle>(startAuth: () => Promise<R>): Promise<PushAuthEnv<R>> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => console.warn('cleanup:', e));
  };
  try {
    const registry = await startAuth();
    cleanups.push(() => registry.stop());
    const source = await startRegistry();
    cleanups.push(() => source.stop());
    await pushImage(source.url, 'library/busybox', 'latest', await busyboxImage());
    const d = await startBerthd();
    cleanups.push(() => d.cleanup());
    const dockerConfig = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
    cleanups.push(() => rm(dockerConfig, { recursive: true, force: true }));
    const busybox = `${source.host}/library/busybox:latest`;
    return {
      registry,
      source,
      d,
      dockerConfig,
      login: (password) => docker(d.dockerHost, ['login', '-u', TEST_REGISTRY_USER, '--password-stdin', registry.host], { input: password, env: { DOCKER_CONFIG: dockerConfig } }),
      tagBusyboxAs: async (ref) => {
        for (const args of [['pull', busybox], ['tag', busybox, ref]]) {
          const r = await docker(d.dockerHost, args);
          if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
        }
      },
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
