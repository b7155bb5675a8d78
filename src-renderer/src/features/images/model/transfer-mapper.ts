import type { LayerProgressView, TransferProgressView } from '../../../../../src-shared/ipc/models/images';
import { formatBytes } from '../../../lib/format';

export interface LayerProgressRowView {
  id: string;
  status: string;
  /** null = indeterminate (size unknown or waiting). */
  fraction: number | null;
  detail: string;
  done: boolean;
}

export interface TransferView {
  ref: string;
  state: TransferProgressView['state'];
  stateLabel: string;
  overall: number | null;
  overallText: string;
  layers: LayerProgressRowView[];
  /** "Served by mirror http://…" — null when the engine did not say. */
  servedBy: string | null;
  failures: string[];
  lastMessage: string;
  error: string | null;
}

function layerRow(l: LayerProgressView): LayerProgressRowView {
  const done = l.phase === 'done' || l.phase === 'exists';
  let fraction: number | null = null;
  if (done) fraction = 1;
  else if (l.total > 0) fraction = l.current / l.total;
  const detail = l.total > 0 && !done ? `${formatBytes(l.current)} / ${formatBytes(l.total)}` : '';
  return { id: l.id, status: l.status, fraction, detail, done };
}

export function toTransferView(p: TransferProgressView): TransferView {
  const layers = p.layers.map(layerRow);
  const allDone = layers.length > 0 && layers.every((l) => l.done);
  const overall = p.state === 'done' || allDone ? 1 : p.total > 0 ? p.current / p.total : null;
  return {
    ref: p.ref,
    state: p.state,
    stateLabel: p.state === 'done' ? 'Complete' : p.state === 'error' ? 'Failed' : 'In progress',
    overall,
    overallText: p.total > 0 ? `${formatBytes(p.current)} of ${formatBytes(p.total)}` : '',
    layers,
    servedBy: p.mirror ? `Served by ${p.mirror}` : null,
    failures: p.mirrorFailures.map((f) => `${f.mirror} failed: ${f.message}`),
    lastMessage: p.messages[p.messages.length - 1] ?? '',
    error: p.error,
  };
}
