import { BerthError } from '../../lib/errors';
import type { RegistryCredentials } from '../../registry/auth';
import type { ProgressEvent } from '../images/progress';

/** What `POST /build` asks for, mapped from the query (camelCase, defaults filled). */
export interface BuildOptions {
  /** `repo[:tag]` names to tag the result with. */
  tags: string[];
  /** Dockerfile path in the context (default `Dockerfile`). */
  dockerfile?: string;
  /** `--build-arg` values; null = named without a value the client could fill. */
  buildArgs: Map<string, string | null>;
  target?: string;
  noCache: boolean;
  /** Always pull base images, even when present. */
  pull: boolean;
  /** Remove intermediate containers after a successful step (default true). */
  rm: boolean;
  /** Always remove intermediate containers, even after a failed step. */
  forceRm: boolean;
  /** Labels added to the final image (dockerd appends one LABEL step each). */
  labels: Record<string, string>;
  networkMode: string;
  resources: StepResources;
  shmSize: number;
  extraHosts: string[];
  /** Only the image ID is reported (`-q`). */
  quiet: boolean;
  /** X-Registry-Config: credentials per registry host, for base images. */
  credentials: (registryHost: string) => RegistryCredentials | undefined;
}

export interface StepResources {
  memory: number;
  memorySwap: number;
  cpuShares: number;
  cpuPeriod: number;
  cpuQuota: number;
  cpusetCpus: string;
  cpusetMems: string;
}

/** A RUN step's container, as the builder asks for it (the API maps it to a create request). */
export interface StepContainerSpec {
  image: string;
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  networkMode: string;
  resources: StepResources;
  shmSize: number;
  extraHosts: string[];
}

/**
 * How the builder runs RUN steps: ordinary containers (moby's containerManager over the container
 * backend). `create` returns the container's ID and its read-write layer directory (what a commit
 * turns into the step's layer); `run` attaches, starts and waits, streaming output.
 */
export interface BuildContainers {
  create(spec: StepContainerSpec): Promise<{ id: string; upperDir: string }>;
  run(id: string, onOutput: (stream: 'stdout' | 'stderr', data: Buffer) => void, signal: AbortSignal): Promise<number>;
  remove(id: string): Promise<void>;
}

/** Where a build's messages go (the API turns them into jsonmessages). */
export interface BuildSink {
  /** Text the CLI prints as is (`Step 1/3 : FROM busybox\n`, RUN output). */
  stream(text: string): void;
  /** Pull progress of a base image. */
  progress(event: ProgressEvent): void;
  /** The result image ID (`aux`, what `--iidfile` and `-q` read). */
  result(imageId: string): void;
}

/** A RUN that exited non-zero: the CLI exits with the same code. */
export class BuildStepError extends BerthError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super('InvalidArgument', 'BUILD_STEP_FAILED', message);
  }
}
