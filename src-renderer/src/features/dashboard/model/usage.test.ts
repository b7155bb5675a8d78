import { describe, expect, it } from 'vitest';
import { toUsageView } from './usage';

const sample = (cpuPercent: number, memoryUsage: number) => ({ cpuPercent, memoryUsage, memoryLimit: 0 });

describe('toUsageView', () => {
  it('divides docker CPU % by the cores and sums memory in binary units, as the dashboard shows it', () => {
    const v = toUsageView({ a: sample(150, 512 * 1024 ** 2), b: sample(50, 512 * 1024 ** 2) }, 2, 16 * 1024 ** 3);
    expect(v.cpuPercent).toBe(100);
    expect(v.running).toBe(2);
    expect(v.memoryLabel).toBe('1.0 GiB / 16.0 GiB');
  });

  it('shows the used memory alone when the total is unknown', () => {
    expect(toUsageView({ a: sample(0, 300 * 1024 ** 2) }, undefined, undefined).memoryLabel).toBe('300 MiB');
  });
});
