import { describe, expect, it } from 'vitest';
import { memoryInput, toUpdateSpec } from './update-form';

const form = { memory: '', cpus: '', pidsLimit: '', restartPolicy: 'no' as const, maxRetries: '' };

describe('edit limits form', () => {
  it('sends empty fields as unlimited and the rest as docker update does', () => {
    expect(toUpdateSpec(form)).toEqual({ memoryBytes: 0, cpus: 0, pidsLimit: -1, restartPolicy: { name: 'no' } });
    expect(toUpdateSpec({ ...form, memory: '64m', cpus: '0.5', pidsLimit: '50', restartPolicy: 'on-failure', maxRetries: '3' })).toEqual({
      memoryBytes: 64 * 1024 * 1024,
      cpus: 0.5,
      pidsLimit: 50,
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
    });
  });
  it('names the bad field', () => {
    expect(toUpdateSpec({ ...form, memory: '1k' })).toMatch(/^Memory/);
    expect(toUpdateSpec({ ...form, cpus: '-1' })).toMatch(/^CPUs/);
    expect(toUpdateSpec({ ...form, pidsLimit: '1.5' })).toMatch(/^PIDs/);
  });
  it('shows memory in the unit it was given', () => {
    expect(memoryInput(64 * 1024 * 1024)).toBe('64m');
    expect(memoryInput(2 * 1024 ** 3)).toBe('2g');
    expect(memoryInput(1000)).toBe('1000');
  });
});
