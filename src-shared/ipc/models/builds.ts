/**
 * Builds from the app (the Builds view): a folder on the machine running the app is packed as
 * the build context (.dockerignore applied) and sent to the host's engine (`POST /build`, the
 * classic builder), whichever host that is.
 */
export interface BuildArgs {
  hostId: string;
  /** Absolute path of the context folder on the machine running the app. */
  contextPath: string;
  /** Dockerfile path relative to the context; default `Dockerfile`. */
  dockerfile?: string;
  /** `name:tag` references to tag the result with. */
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  /** Always pull base images. */
  pull?: boolean;
}

/** One event of a build's stream; the last has `done` (a failed build ends the stream with an error). */
export interface BuildProgressView {
  buildId: string;
  /** Output lines, as `docker build` prints them (Step N/M : …, ---> …, RUN output). */
  lines?: string[];
  /** The step being run (1-based) and the step count, from `Step N/M`. */
  step?: { index: number; total: number; instruction: string };
  done?: BuildRecordView;
}

export interface BuildRecordView {
  id: string;
  hostId: string;
  contextPath: string;
  dockerfile: string;
  tags: string[];
  startedAt: number;
  durationMs?: number;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  imageId?: string;
  /** Steps answered from the build cache. */
  cachedSteps: number;
  steps: number;
  /** What failed, with the failing step where the engine names it. */
  error?: string;
  /** Bytes of context sent. */
  contextBytes?: number;
}
