/**
 * Entry of berthd's layer workers (bundled to helper/dist/layer-worker.mjs). Each worker runs one
 * layer job at a time: hashing, inflating and tar parsing then happen on their own thread, so a
 * multi-layer pull uses every core instead of queueing on the daemon's main thread.
 */
import type { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { fastHttpGet } from '../../registry/fast-blob-get';
import { RegistryError, parseRegistryErrors, registryErrorText } from '../../registry/errors';
import { HttpTransport, readAll } from '../../registry/http-transport';
import { ContentStore } from '../../store/content/content-store';
import { applyLayerTar } from '../../store/layers/apply-layer';
import { FileWriter } from '../../store/layers/file-writer';
import { FsUtil } from '../../store/layers/fsutil';
import { applyLayerBlob } from './layer-pipeline';
import { serializeError, type FromWorker, type ToWorker, type WorkerJob } from './layer-worker-protocol';

const port = parentPort;
if (!port) throw new Error('layer-worker-entry must run in a worker thread');
const transport = new HttpTransport('berthd');
const aborts = new Map<number, AbortController>();
const post = (m: FromWorker): void => port.postMessage(m);
/** This worker's file-writer thread (one layer job at a time here, so one writer serves them all). */
let writer: FileWriter | undefined;

async function open(job: WorkerJob, signal: AbortSignal): Promise<Readable> {
  const fast = await fastHttpGet(job.url, job.headers, signal);
  if (fast) return fast.body;
  const res = await transport.send({ method: 'GET', url: job.url, headers: job.headers, skipTlsVerify: job.skipTlsVerify, signal });
  if (res.status !== 200) {
    const body = (await readAll(res.body, 64 * 1024).catch(() => Buffer.alloc(0))).toString('utf8');
    // A registry's error document is said as dockerd says it ("blob unknown: blob unknown to registry"), not as raw JSON.
    const details = parseRegistryErrors(body);
    const first = details[0];
    const reason = first ? registryErrorText(first) : `HTTP ${res.status} ${body.slice(0, 200)}`.trim();
    throw new RegistryError(res.status === 401 ? 'Unauthorized' : res.status === 404 ? 'NotFound' : 'Unavailable', 'REGISTRY_BLOB_FETCH', `blob ${job.digest}: ${reason}`, {
      category: first ? 'registry' : 'unexpected-http',
      status: res.status,
      details,
    });
  }
  return res.body;
}

async function run(job: WorkerJob, signal: AbortSignal): Promise<number> {
  const blob = await open(job, signal);
  let last = 0;
  const { size } = await applyLayerBlob(
    job,
    blob,
    {
      content: new ContentStore(job.contentRoot),
      apply: async (tar) => {
        const fsutil = new FsUtil(job.fsutilBinary, job.diffDir);
        try {
          writer ??= new FileWriter();
          return await applyLayerTar(tar, job.diffDir, fsutil, { writer });
        } finally {
          await fsutil.close();
        }
      },
      onBytes: (received) => {
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        post({ type: 'progress', jobId: job.jobId, received });
      },
    },
    signal,
  );
  return size;
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'abort') {
    aborts.get(msg.jobId)?.abort(new Error('pull aborted'));
    return;
  }
  const { job } = msg;
  const ac = new AbortController();
  aborts.set(job.jobId, ac);
  run(job, ac.signal).then(
    (size) => post({ type: 'done', jobId: job.jobId, size }),
    (err: unknown) => post({ type: 'error', jobId: job.jobId, error: serializeError(err) }),
  ).finally(() => aborts.delete(job.jobId));
});
