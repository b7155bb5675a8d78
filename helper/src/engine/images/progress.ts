/**
 * One progress event of a pull or import, engine-side. The API maps it to Docker's jsonmessage
 * (`{status, id, progressDetail:{current,total}}`); `id` is a layer's short digest or the tag.
 */
export interface ProgressEvent {
  status: string;
  id?: string;
  current?: number;
  total?: number;
  /** Machine-readable extras (jsonmessage `aux`); the docker CLI ignores them on pull. */
  aux?: Record<string, unknown>;
}

export type ProgressSink = (event: ProgressEvent) => void;

/** The 12-hex short form Docker uses for layer IDs in progress output. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * Rate-limits byte-progress events per layer (the CLI redraws on each one; hundreds per second
 * cost CPU on both sides). The first and the final event always go out.
 */
export class ProgressThrottle {
  private last = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly intervalMs = 100,
  ) {}

  emit(event: ProgressEvent, force = false): void {
    const now = performance.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    this.sink(event);
  }
}
