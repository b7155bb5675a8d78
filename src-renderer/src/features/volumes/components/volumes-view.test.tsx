import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { VolumeView } from '../../../../../src-shared/ipc/models/volumes';
import { BerthClientError } from '../../../lib/transport/bridge-client';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { VolumesView } from './volumes-view';

afterEach(cleanup);

const vol = (name: string, over: Partial<VolumeView> = {}): VolumeView => ({
  name,
  driver: 'local',
  mountpoint: `/var/lib/berth/volumes/${name}/_data`,
  created: Date.now() - 60_000,
  labels: {},
  options: {},
  anonymous: false,
  size: 0,
  containers: [],
  ...over,
});

// Rendering Radix dialogs and toasts in jsdom takes seconds on a loaded 2-core machine.
const SLOW = { timeout: 30_000 };
const WAIT = { timeout: 10_000 };

describe('VolumesView', () => {
  it('lists volumes with size and users; a refused removal says why and keeps the row', SLOW, async () => {
    const bridge = new FakeBridge()
      .on('volumes:list', () => [vol('db', { size: 2_500_000, containers: [{ id: 'c1', name: 'postgres', running: true }] }), vol('f'.repeat(64), { anonymous: true })])
      .on('volumes:remove', () => {
        throw new BerthClientError({ kind: 'Conflict', code: 'VOLUME_CONFLICT', message: 'remove db: volume is in use - [c1]' });
      });
    renderWithApp(<VolumesView />, bridge);
    const row = async (name: string): Promise<HTMLElement> =>
      waitFor(() => {
        const el = document.querySelector<HTMLElement>(`tr[data-volume="${name}"]`);
        if (!el) throw new Error(`no row for ${name}`);
        return el;
      }, WAIT);
    const db = await row('db');
    expect(within(db).getByTestId('volume-size').textContent).toBe('2.50 MB');
    expect(within(db).getByTestId('volume-users').textContent).toBe('postgres (running)');
    const anon = await row('f'.repeat(64));
    expect(within(anon).getByText('anonymous')).toBeTruthy();
    fireEvent.click(within(db).getByRole('button', { name: 'Remove db' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Remove' }, WAIT));
    await screen.findByText(/volume is in use/, {}, WAIT);
    expect(bridge.calls.filter((c) => c.channel === 'volumes:remove').map((c) => c.args)).toEqual([{ hostId: 'local', name: 'db' }]);
  });

  it('prunes anonymous volumes by default, named ones too when asked', SLOW, async () => {
    const bridge = new FakeBridge().on('volumes:list', () => [vol('db')]).on('volumes:prune', () => ({ deleted: ['db'], spaceReclaimed: 1000 }));
    renderWithApp(<VolumesView />, bridge);
    await waitFor(() => expect(document.querySelector('tr[data-volume="db"]')).not.toBeNull(), WAIT);
    fireEvent.click(screen.getByRole('button', { name: 'Prune' }));
    fireEvent.click(await screen.findByLabelText('Also remove named volumes no container uses', {}, WAIT));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Prune' }));
    await screen.findByText(/Removed 1 volume, reclaimed 1.00 kB/, {}, WAIT);
    expect(bridge.calls.filter((c) => c.channel === 'volumes:prune').map((c) => c.args)).toEqual([{ hostId: 'local', all: true }]);
  });
});
