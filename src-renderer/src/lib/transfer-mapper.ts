import type { LayerProgressView, TransferProgressView } from '../../../src-shared/ipc/models/images';
import { formatBytes } from './format';
import type { TransferOutcome } from './use-image-transfer';

export interface LayerProgressRowView {
  id: string;
  status: string;
  /** null = indeterminate (size unknown, waiting, or extracting without byte counts). */
  fraction: number | null;
  detail: string;
  done: boolean;
}

export interface TransferView {
  ref: string;
  /** The person's view of it: a closed stream is 'cancelled' or 'failed', never "In progress". */
  state: 'running' | 'done' | 'error' | 'cancelled';
  stateLabel: string;
  /** Only a running transfer animates its bars. */
  animate: boolean;
  overall: number | null;
  overallText: string;
  layers: LayerProgressRowView[];
  /** "Served by mirror http://…" — null when the engine did not say. */
  servedBy: string | null;
  failures: string[];
  /** The last status line, unless it repeats the error. */
  lastMessage: string;
  error: string | null;
}

/** What an unfinished layer of a stopped transfer says instead of its last ("Downloading") status. */
const STOPPED_LAYER: Partial<Record<TransferView['state'], string>> = { cancelled: 'Cancelled', error: 'Stopped' };

function layerRow(l: LayerProgressView, state: TransferView['state']): LayerProgressRowView {
  const running = state === 'running';
  const done = l.phase === 'done' || l.phase === 'exists';
  let fraction: number | null = null;
  let detail = '';
  if (done) fraction = 1;
  else if (l.phase === 'downloading' && l.total > 0) {
    fraction = Math.min(1, l.current / l.total);
    // Bytes only while they move: "1.07 MB / 1.07 MB" next to a bar that is not full lies.
    detail = `${formatBytes(l.current)} / ${formatBytes(l.total)}`;
  } else if (l.phase === 'extracting' && l.total > 0 && l.current < l.total) {
    fraction = l.current / l.total;
    detail = `${formatBytes(l.current)} / ${formatBytes(l.total)}`;
  }
  // A stopped transfer has no indeterminate (animated) bar: show what was reached.
  if (!running && fraction === null) fraction = 0;
  // Nor a layer still "Downloading": it says the transfer stopped, with the bytes it reached.
  const status = !running && !done ? (STOPPED_LAYER[state] ?? l.status) : l.status;
  return { id: l.id, status, fraction, detail, done };
}

const LABELS: Record<TransferView['state'], string> = { running: 'In progress', done: 'Complete', error: 'Failed', cancelled: 'Cancelled' };

/**
 * `outcome` is what the renderer knows beyond the last snapshot: the stream ended by a cancel
 * or an error the engine never put in a snapshot.
 */
export function toTransferView(p: TransferProgressView, outcome?: TransferOutcome | null): TransferView {
  const state: TransferView['state'] =
    outcome === 'cancelled' ? 'cancelled' : p.state === 'error' || outcome === 'failed' ? 'error' : p.state === 'done' || outcome === 'done' ? 'done' : 'running';
  const running = state === 'running';
  const layers = p.layers.map((l) => layerRow(l, state));
  const allDone = layers.length > 0 && layers.every((l) => l.done);
  const overall = state === 'done' || allDone ? 1 : p.total > 0 ? p.current / p.total : running ? null : 0;
  const downloadedAll = p.total > 0 && p.current >= p.total;
  const overallText = p.total > 0 ? `${formatBytes(p.current)} of ${formatBytes(p.total)}${downloadedAll && running && !allDone ? ' downloaded, extracting' : ''}` : '';
  const last = p.messages[p.messages.length - 1] ?? '';
  return {
    ref: p.ref,
    state,
    stateLabel: LABELS[state],
    animate: running,
    overall,
    overallText,
    layers,
    servedBy: p.mirror ? `Served by ${p.mirror}` : null,
    failures: p.mirrorFailures.map((f) => `${f.mirror} failed: ${f.message}`),
    lastMessage: p.error && last.includes(p.error) ? '' : last,
    error: p.error,
  };
}
