import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { DiskUsageView, EngineInfoView } from '../../../../../src-shared/ipc/models/system';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { DashboardView } from './dashboard-view';

afterEach(cleanup);

// Radix dialogs in jsdom take seconds on a loaded 2-core machine.
const SLOW = { timeout: 30_000 };
const WAIT = { timeout: 10_000 };

const info: EngineInfoView = {
  hostId: 'local',
  name: 'box',
  serverVersion: '0.1.0',
  apiVersion: '1.45',
  os: 'linux',
  operatingSystem: 'Debian GNU/Linux 12',
  kernelVersion: '6.1.0',
  architecture: 'x86_64',
  ncpu: 2,
  memTotal: 4 * 1024 ** 3,
  storageDriver: 'overlay2',
  cgroupVersion: '1',
  dockerRootDir: '/var/lib/berth',
  containers: 3,
  containersRunning: 2,
  containersPaused: 0,
  containersStopped: 1,
  images: 2,
  registryMirrors: [],
  defaultBridge: { subnet: '172.17.0.0/16', gateway: '172.17.0.1' },
  isBerth: true,
  warnings: [],
};
const df: DiskUsageView = {
  images: { total: 2, active: 1, size: 5_000_000, reclaimable: 1_000_000 },
  containers: { total: 3, active: 2, size: 3000, reclaimable: 1000 },
  volumes: { total: 1, active: 0, size: 2000, reclaimable: 2000 },
  buildCache: { total: 0, active: 0, size: 0, reclaimable: 0 },
};

function bridge(): FakeBridge {
  return new FakeBridge()
    .on('system:info', () => info)
    .on('system:df', () => df)
    .on('images:prune', () => ({ deleted: ['sha256:a'], spaceReclaimed: 1_000_000 }))
    .on('builds:prune', () => ({ deleted: [], spaceReclaimed: 0 }));
}

const row = (category: string): HTMLElement => {
  const el = document.querySelector<HTMLElement>(`tr[data-disk-category="${category}"]`);
  if (!el) throw new Error(`no ${category} row`);
  return el;
};

describe('DashboardView', () => {
  it('shows the containers by state as links to Containers, disk use per category and the engine resources', SLOW, async () => {
    renderWithApp(<DashboardView />, bridge());
    const running = await screen.findByRole('link', { name: /Running/ }, WAIT);
    expect(running.getAttribute('href')).toBe('#/containers');
    expect(running.textContent).toContain('2');
    expect(screen.getByRole('link', { name: /Stopped/ }).textContent).toContain('1');
    await waitFor(() => row('images'), WAIT);
    expect(within(row('images')).getByText('5.00 MB')).toBeTruthy();
    expect(within(row('images')).getByText('1.00 MB (20%)')).toBeTruthy();
    expect(row('volumes').dataset.sizeBytes).toBe('2000');
    const resources = screen.getByLabelText('Engine resources');
    expect(resources.textContent).toContain('overlay2');
    expect(resources.textContent).toContain('172.17.0.0/16');
  });

  it('prunes images, dangling only unless every unused image is asked for, and the build cache through its own channel', SLOW, async () => {
    const b = bridge();
    renderWithApp(<DashboardView />, b);
    await waitFor(() => row('images'), WAIT);
    fireEvent.click(within(row('images')).getByRole('button', { name: 'Prune images' }));
    fireEvent.click(await screen.findByLabelText('Also remove every image no container uses', {}, WAIT));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Prune' }));
    await screen.findByText(/Removed 1 image, reclaimed 1.00 MB/, {}, WAIT);
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    fireEvent.click(within(row('buildCache')).getByRole('button', { name: 'Prune build cache' }));
    fireEvent.click(within(await screen.findByRole('dialog', {}, WAIT)).getByRole('button', { name: 'Prune' }));
    await screen.findByText(/Removed 0 build cache records/, {}, WAIT);
    expect(b.calls.filter((c) => c.channel.endsWith(':prune')).map((c) => [c.channel, c.args])).toEqual([
      ['images:prune', { hostId: 'local', all: true }],
      ['builds:prune', { hostId: 'local' }],
    ]);
  });
});
