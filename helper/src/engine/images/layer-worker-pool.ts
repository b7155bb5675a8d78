import { Worker } from 'node:worker_threads';
import { internal } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { deserializeError, type FromWorker, type WorkerJob } from './layer-worker-protocol';

interface Pending {
  worker: Worker;
  resolve: (size: number) => void;
  reject: (err: Error) => void;
  onProgress: (received: number) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  idleTimer?: NodeJS.Timeout;
}

/**
 * A small pool of layer workers (helper/dist/layer-worker.mjs), created on demand up to the
 * number of concurrent downloads and ended after `idleMs` without work, so an idle berthd holds
 * no worker memory. `run` resolves with the layer size or rejects with the worker's error
 * (RegistryError/BerthError rebuilt); it settles only after the worker stopped touching the job's
 * files. A crashed worker fails its job and is replaced on the next one.
 */
export class LayerWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly waiters: (() => void)[] = [];
  private nextId = 1;

  constructor(
    private readonly script: string,
    private readonly log: Logger,
    private readonly idleMs = 30_000,
  ) {}

  async run(job: Omit<WorkerJob, 'jobId'>, onProgress: (received: number) => void, signal: AbortSignal, maxWorkers: number): Promise<number> {
    const slot = await this.acquire(maxWorkers);
    const jobId = this.nextId++;
    const onAbort = (): void => slot.worker.postMessage({ type: 'abort', jobId });
    try {
      return await new Promise<number>((resolve, reject) => {
        this.pending.set(jobId, { worker: slot.worker, resolve, reject, onProgress });
        signal.addEventListener('abort', onAbort, { once: true });
        slot.worker.postMessage({ type: 'job', job: { ...job, jobId } });
        if (signal.aborted) onAbort();
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.pending.delete(jobId);
      this.release(slot);
    }
  }

  /**
   * Starts workers up to `count` ahead of need (a pull calls it before fetching its manifest, so
   * thread start-up overlaps the registry round trips). Idle ones end after `idleMs` as usual.
   */
  warm(count: number): void {
    while (this.slots.length < count) {
      const slot: Slot = { worker: this.spawn(), busy: true };
      this.slots.push(slot);
      this.release(slot);
    }
  }

  close(): void {
    for (const s of this.slots.splice(0)) void s.worker.terminate();
  }

  private async acquire(maxWorkers: number): Promise<Slot> {
    for (;;) {
      const free = this.slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        if (free.idleTimer) clearTimeout(free.idleTimer);
        return free;
      }
      if (this.slots.length < Math.max(1, maxWorkers)) {
        const slot: Slot = { worker: this.spawn(), busy: true };
        this.slots.push(slot);
        return slot;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private release(slot: Slot): void {
    slot.busy = false;
    if (this.slots.includes(slot)) {
      slot.idleTimer = setTimeout(() => {
        if (slot.busy) return;
        this.slots.splice(this.slots.indexOf(slot), 1);
        void slot.worker.terminate();
      }, this.idleMs);
      slot.idleTimer.unref();
    }
    this.waiters.shift()?.();
  }

  private spawn(): Worker {
    const worker = new Worker(this.script);
    worker.unref();
    worker.on('message', (m: FromWorker) => {
      const p = this.pending.get(m.jobId);
      if (!p) return;
      if (m.type === 'progress') p.onProgress(m.received);
      else if (m.type === 'done') p.resolve(m.size);
      else p.reject(deserializeError(m.error));
    });
    const fail = (err: Error): void => {
      this.log.error({ err }, 'layer worker died');
      const idx = this.slots.findIndex((s) => s.worker === worker);
      if (idx !== -1) this.slots.splice(idx, 1);
      // Its in-flight job (at most one) fails; the caller cleans the job's directories.
      for (const p of this.pending.values()) if (p.worker === worker) p.reject(internal('LAYER_WORKER_DIED', `layer worker died: ${err.message}`, err));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0 && this.slots.some((s) => s.worker === worker)) fail(new Error(`exit code ${code}`));
    });
    return worker;
  }
}
