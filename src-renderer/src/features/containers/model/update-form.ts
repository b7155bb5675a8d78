import type { ContainerDetailView, ContainerUpdateSpec, RestartPolicyName } from '../../../../../src-shared/ipc/models/containers';
import { parseMemory } from './run-form';

/** Bytes as `docker run -m` input: the largest binary unit that divides it exactly. */
export function memoryInput(bytes: number): string {
  for (const [unit, size] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** The Edit limits dialog: what `docker update` can change on a running container. */
export interface UpdateForm {
  memory: string;
  cpus: string;
  pidsLimit: string;
  restartPolicy: RestartPolicyName;
  maxRetries: string;
}

export function updateFormOf(d: ContainerDetailView): UpdateForm {
  return {
    memory: d.hostConfig.memory > 0 ? memoryInput(d.hostConfig.memory) : '',
    cpus: d.hostConfig.cpus > 0 ? String(d.hostConfig.cpus) : '',
    pidsLimit: d.hostConfig.pidsLimit && d.hostConfig.pidsLimit > 0 ? String(d.hostConfig.pidsLimit) : '',
    restartPolicy: d.restartPolicy.name,
    maxRetries: d.restartPolicy.maximumRetryCount ? String(d.restartPolicy.maximumRetryCount) : '',
  };
}

/** The update to send, or the first problem in words. Empty fields mean unlimited. */
export function toUpdateSpec(f: UpdateForm): ContainerUpdateSpec | string {
  const out: ContainerUpdateSpec = {};
  if (f.memory.trim() === '') out.memoryBytes = 0;
  else {
    const bytes = parseMemory(f.memory);
    if (bytes === null) return 'Memory: a size such as 64m, 512k or 1g.';
    if (bytes < 6 * 1024 * 1024) return 'Memory: at least 6m.';
    out.memoryBytes = bytes;
  }
  if (f.cpus.trim() === '') out.cpus = 0;
  else {
    const n = Number(f.cpus);
    if (!Number.isFinite(n) || n <= 0) return 'CPUs: a positive number, e.g. 0.5.';
    out.cpus = n;
  }
  if (f.pidsLimit.trim() === '') out.pidsLimit = -1;
  else {
    const n = Number(f.pidsLimit);
    if (!Number.isInteger(n) || n < 1) return 'PIDs: a whole number, at least 1.';
    out.pidsLimit = n;
  }
  out.restartPolicy = { name: f.restartPolicy };
  if (f.restartPolicy === 'on-failure' && f.maxRetries.trim() !== '') {
    const n = Number(f.maxRetries);
    if (!Number.isInteger(n) || n < 0) return 'Retries: a whole number (0 = unlimited).';
    out.restartPolicy.maximumRetryCount = n;
  }
  return out;
}
