import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge, unavailable } from '../../../testing/fake-bridge';
import { fakeContainer, fakeContainers } from '../../../testing/fixtures';
import { renderWithApp } from '../../../testing/render';
import { ContainersView } from './containers-view';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function openRowMenu(row: HTMLElement, name: string): Promise<void> {
  // Radix menus open on keyboard Enter (pointer events need a real pointer).
  fireEvent.keyDown(within(row).getByRole('button', { name: `More actions for ${name}` }), { key: 'Enter' });
  await screen.findByRole('menu');
}

describe('ContainersView', () => {
  it('lists containers with state, image and live usage', async () => {
    const bridge = new FakeBridge().on('containers:list', () => [fakeContainer(1), fakeContainer(4)]);
    renderWithApp(<ContainersView />, bridge);
    const table = await screen.findByRole('table', { name: 'Containers' });
    expect(within(table).getByText('app-1')).toBeTruthy();
    expect(within(table).getByText('Exited')).toBeTruthy();
    expect(screen.getByText('2 containers, 1 running')).toBeTruthy();
    await waitFor(() => expect(bridge.open_('containers:stats-summary')).toHaveLength(1));
    act(() => bridge.emit('containers:stats-summary', { byId: { [fakeContainer(1).id]: { cpuPercent: 42, memoryUsage: 3 * 1024 * 1024, memoryLimit: 1024 ** 3 } } }));
    const row = table.querySelector(`tr[data-container-name="app-1"]`) as HTMLElement;
    expect(within(row).getByText('42%')).toBeTruthy();
    expect(within(row).getByText('3.0 MiB')).toBeTruthy();
  });

  it('shows an empty state', async () => {
    renderWithApp(<ContainersView />, new FakeBridge().on('containers:list', () => []));
    expect(await screen.findByText('No containers yet')).toBeTruthy();
  });

  it('refetches on container events, one refetch per burst, ignoring exec noise', async () => {
    let list = [fakeContainer(1)];
    const bridge = new FakeBridge().on('containers:list', () => list);
    renderWithApp(<ContainersView />, bridge);
    await screen.findByText('app-1');
    expect(bridge.open_('engine:events')[0]?.args).toEqual({ hostId: 'local', types: ['container'] });
    const before = bridge.count('containers:list');
    const ev = (action: string) => ({ hostId: 'local', type: 'container', action, id: 'x', attributes: {}, time: Date.now() });
    act(() => bridge.emit('engine:events', ev('exec_start: sh')));
    await new Promise((r) => setTimeout(r, 300));
    expect(bridge.count('containers:list')).toBe(before);
    list = [fakeContainer(1), fakeContainer(2)];
    act(() => {
      for (let i = 0; i < 20; i++) bridge.emit('engine:events', ev(i % 2 ? 'start' : 'create'));
    });
    expect(await screen.findByText('app-2')).toBeTruthy();
    expect(bridge.count('containers:list')).toBe(before + 1);
  });

  it('stops with the chosen timeout and removes a running container only after confirming', async () => {
    const bridge = new FakeBridge()
      .on('containers:list', () => [fakeContainer(1)])
      .on('containers:stop', () => undefined)
      .on('containers:remove', () => undefined);
    renderWithApp(<ContainersView />, bridge);
    const row = (await screen.findByText('app-1')).closest('tr') as HTMLElement;
    fireEvent.click(within(row).getByText('Stop'));
    const timeout = await screen.findByLabelText('Stop timeout');
    fireEvent.change(timeout, { target: { value: '3' } });
    fireEvent.click(within(screen.getByRole('dialog')).getByText('Stop'));
    await waitFor(() => expect(bridge.calls.find((c) => c.channel === 'containers:stop')?.args).toEqual({ hostId: 'local', id: fakeContainer(1).id, timeoutSeconds: 3 }));
    await openRowMenu(row, 'app-1');
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Remove' }));
    expect(bridge.count('containers:remove')).toBe(0);
    fireEvent.click(await screen.findByText('Kill and remove'));
    await waitFor(() => expect(bridge.calls.find((c) => c.channel === 'containers:remove')?.args).toEqual({ hostId: 'local', id: fakeContainer(1).id, force: true }));
  });

  it('says when the daemon is down, and Retry fetches again', async () => {
    let down = true;
    const bridge = new FakeBridge().on('containers:list', () => {
      if (down) throw unavailable();
      return [fakeContainer(7)];
    });
    renderWithApp(<ContainersView />, bridge);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The Berth daemon is not reachable');
    expect(alert.textContent).toContain('cannot reach berthd');
    down = false;
    fireEvent.click(within(alert).getByText('Retry'));
    expect(await screen.findByText('app-7')).toBeTruthy();
  });

  it('opens the run dialog for an image handed over in the URL (#/containers/new/<image>)', async () => {
    renderWithApp(<ContainersView runImage="127.0.0.1:5000/busybox:latest" />, new FakeBridge().on('containers:list', () => []));
    const image = (await screen.findByLabelText('Image')) as HTMLInputElement;
    expect(image.value).toBe('127.0.0.1:5000/busybox:latest');
  });

  it('shows Stopping… with the countdown of the stop timeout until the stop returns', async () => {
    let finish: () => void = () => undefined;
    const bridge = new FakeBridge().on('containers:list', () => [fakeContainer(1)]).on('containers:stop', () => new Promise<void>((r) => (finish = r)));
    renderWithApp(<ContainersView />, bridge);
    const row = (await screen.findByText('app-1')).closest('tr') as HTMLElement;
    fireEvent.click(within(row).getByText('Stop'));
    fireEvent.change(await screen.findByLabelText('Stop timeout'), { target: { value: '30' } });
    fireEvent.click(within(screen.getByRole('dialog')).getByText('Stop'));
    await waitFor(() => expect(row.getAttribute('data-stopping')).toBe('true'));
    expect(row.querySelector('.badge')?.textContent).toMatch(/^Stopping… (30|29) s$/);
    expect((within(row).getByRole('button', { name: 'Stop app-1' }) as HTMLButtonElement).disabled).toBe(true);
    act(() => finish());
    await waitFor(() => expect(row.getAttribute('data-stopping')).toBeNull());
  });

  it('sorts by a column and applies bulk actions to the selected rows', async () => {
    const list = [fakeContainer(1), fakeContainer(2), fakeContainer(3)];
    const bridge = new FakeBridge().on('containers:list', () => list).on('containers:start', () => undefined).on('containers:remove', () => undefined);
    const { container } = renderWithApp(<ContainersView />, bridge);
    await screen.findByText('app-1');
    const names = (): string[] => [...container.querySelectorAll('tr[data-container-name]')].map((r) => r.getAttribute('data-container-name') ?? '');
    fireEvent.click(within(screen.getByRole('columnheader', { name: /Name/ })).getByRole('button'));
    expect(names()).toEqual(['app-1', 'app-2', 'app-3']);
    fireEvent.click(within(screen.getByRole('columnheader', { name: /Name/ })).getByRole('button'));
    expect(names()).toEqual(['app-3', 'app-2', 'app-1']);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select app-2' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select app-3' }));
    const bar = screen.getByTestId('bulk-bar');
    expect(bar.textContent).toMatch(/2 containers selected/);
    fireEvent.click(within(bar).getByRole('button', { name: 'Remove' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove 2 containers?' });
    fireEvent.click(within(dialog).getByRole('button', { name: /remove/i }));
    await waitFor(() => expect(bridge.count('containers:remove')).toBe(2));
    expect(bridge.calls.filter((c) => c.channel === 'containers:remove').map((c) => (c.args as { id: string }).id).sort()).toEqual([fakeContainer(2).id, fakeContainer(3).id].sort());
    await waitFor(() => expect(screen.queryByTestId('bulk-bar')).toBeNull());
  });

  it('renders 1,000 containers virtualised (a screenful of rows in the DOM) and filters them', async () => {
    const { container } = renderWithApp(<ContainersView />, new FakeBridge().on('containers:list', () => fakeContainers(1000)));
    // (getByRole walks the accessibility tree of all 500 rows: far too slow in jsdom for a lookup.)
    const table = await waitFor(() => {
      const t = container.querySelector<HTMLElement>('table[aria-label="Containers"]');
      if (!t) throw new Error('no table yet');
      return t;
    });
    const rendered = table.querySelectorAll('tbody tr[data-container-id]').length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(60);
    expect(table.getAttribute('aria-rowcount')).toBe('1001');
    fireEvent.change(container.querySelector('input[aria-label="Filter containers"]') as HTMLElement, { target: { value: 'app-49' } });
    // app-49 and app-490..499
    expect(table.querySelectorAll('tbody tr[data-container-id]').length).toBe(11);
  });

  it('prunes after confirming, reports what went, and closes with Done', async () => {
    const bridge = new FakeBridge().on('containers:list', () => [fakeContainer(1)]).on('containers:prune', () => ({ deleted: ['a', 'b'], spaceReclaimed: 2048 }));
    renderWithApp(<ContainersView />, bridge);
    await screen.findByText('app-1');
    fireEvent.click(screen.getByRole('button', { name: 'Prune stopped' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove all stopped containers?' });
    expect(within(dialog).getByText(/Every container that is not running is removed/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Prune' }));
    expect((await within(dialog).findByRole('status')).textContent).toBe('Removed 2 containers, reclaimed 2.05 kB.');
    expect(bridge.count('containers:prune')).toBe(1);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Prune stopped' }));
    expect(within(screen.getByRole('dialog')).getByRole('button', { name: 'Prune' })).toBeTruthy();
  });
});
