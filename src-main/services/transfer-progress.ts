import type { LayerProgressView, TransferProgressView } from '../../src-shared/ipc/models/images';
import type { JsonMessageDto } from '../../src-shared/docker-api/images';

const PHASES: [RegExp, LayerProgressView['phase']][] = [
  [/^(Pulling fs layer|Waiting|Preparing)$/i, 'waiting'],
  [/^(Downloading|Verifying Checksum|Download complete|Pushing|Retrying)/i, 'downloading'],
  [/^Extracting/i, 'extracting'],
  [/^(Pull complete|Pushed|Mounted from)/i, 'done'],
  [/^(Already exists|Layer already exists)$/i, 'exists'],
];

/** Status lines with an `id` that are about the image, not a layer (the id is the tag). */
const IMAGE_LEVEL = /^(Pulling from|Digest:|Status:|The push refers|.*: digest: )/i;

// berthd says `Pulling from mirror <url>` / `Pulling from registry <url>` per endpoint tried, and
// `Mirror <url> skipped: <reason>` when it falls back (helper/src/engine/images/puller.ts).
const MIRROR_USED = /(?:mirror|registry|via|endpoint)\s+(https?:\/\/[^\s,;)]+)/i;
const MIRROR_FAILED = /(?:mirror|registry|endpoint)\s+(https?:\/\/[^\s,;)]+?)[,:]?\s+(?:failed|unreachable|skipped|is unreachable)[:,]?\s*(.*)$/i;

/**
 * Folds a pull or push JSON message stream (moby jsonmessage, engine-api.md §1.2) into one
 * snapshot: per-layer phase and bytes, totals, the image-level status lines, the digest, and
 * which registry mirror served the pull. Berth says which endpoint it used either as an aux
 * `{"BerthEndpoint":{"url","mirror"}}` or in status text ("... via mirror http://…"); both are
 * read, and mirrors that failed before it ("Mirror http://… failed: …") are listed.
 */
export class TransferAggregator {
  private readonly layers = new Map<string, LayerProgressView & { downloadTotal: number; downloaded: number }>();
  private readonly messages: string[] = [];
  private mirror: string | null = null;
  private readonly mirrorFailures: { mirror: string; message: string }[] = [];
  private digest: string | null = null;
  private error: string | null = null;
  private done = false;

  constructor(private readonly ref: string) {}

  apply(m: JsonMessageDto): void {
    if (m.error || m.errorDetail?.message) {
      this.error = m.errorDetail?.message ?? m.error ?? 'failed';
      return;
    }
    const aux = m.aux as { BerthEndpoint?: { url?: unknown }; Digest?: unknown } | undefined;
    if (aux) {
      if (typeof aux.BerthEndpoint?.url === 'string') this.mirror = aux.BerthEndpoint.url;
      if (typeof aux.Digest === 'string') this.digest = aux.Digest;
      return;
    }
    const status = m.status ?? '';
    if (status === '') return;
    const phase = PHASES.find(([re]) => re.test(status))?.[1];
    if (m.id && phase && !IMAGE_LEVEL.test(status)) {
      this.layer(m.id, status, phase, m.progressDetail);
      return;
    }
    this.imageMessage(status);
  }

  private layer(id: string, status: string, phase: LayerProgressView['phase'], detail: JsonMessageDto['progressDetail']): void {
    const l = this.layers.get(id) ?? { id, status, phase, current: 0, total: 0, downloadTotal: 0, downloaded: 0 };
    l.status = status;
    l.phase = phase;
    const current = detail?.current ?? 0;
    const total = detail?.total ?? 0;
    if (/^(Downloading|Pushing)/i.test(status)) {
      l.current = current;
      if (total > 0) l.total = l.downloadTotal = total;
      l.downloaded = current;
    } else if (/^Extracting/i.test(status)) {
      l.current = current;
      l.total = total > 0 ? total : l.total;
      l.downloaded = l.downloadTotal;
    } else if (/^(Download complete|Verifying Checksum|Pull complete|Pushed)/i.test(status)) {
      l.downloaded = l.downloadTotal;
      if (l.total > 0) l.current = l.total;
    }
    this.layers.set(id, l);
  }

  private imageMessage(status: string): void {
    this.messages.push(status);
    if (this.messages.length > 50) this.messages.shift();
    const failed = MIRROR_FAILED.exec(status);
    if (failed?.[1]) {
      this.mirrorFailures.push({ mirror: failed[1], message: failed[2] ?? '' });
      if (this.mirror === failed[1]) this.mirror = null;
      return;
    }
    const used = MIRROR_USED.exec(status);
    if (used?.[1]) this.mirror = used[1];
    const digest = /^Digest: (\S+)/.exec(status) ?? /digest: (sha256:[0-9a-f]+)/i.exec(status);
    if (digest?.[1]) this.digest = digest[1];
  }

  /** Call when the stream ended without error. */
  finish(): void {
    this.done = true;
  }

  get failed(): string | null {
    return this.error;
  }

  snapshot(): TransferProgressView {
    let current = 0;
    let total = 0;
    const layers: LayerProgressView[] = [];
    for (const l of this.layers.values()) {
      layers.push({ id: l.id, status: l.status, phase: l.phase, current: l.current, total: l.total });
      if (l.downloadTotal > 0) {
        total += l.downloadTotal;
        current += Math.min(l.downloaded, l.downloadTotal);
      }
    }
    return {
      ref: this.ref,
      state: this.error ? 'error' : this.done ? 'done' : 'running',
      layers,
      current,
      total,
      messages: [...this.messages],
      mirror: this.mirror,
      mirrorFailures: [...this.mirrorFailures],
      digest: this.digest,
      error: this.error,
    };
  }
}
