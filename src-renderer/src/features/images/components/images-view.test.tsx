import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { DiskUsageView } from '../../../../../src-shared/ipc/models/system';
import { FakeBridge } from '../../../testing/fake-bridge';
import { fakeImage, fakeImageDetail } from '../../../testing/fixtures';
import { renderWithApp } from '../../../testing/render';
import { ImagesView } from './images-view';

afterEach(cleanup);

const SHELL_ID = `sha256:${'5'.repeat(64)}`;
const EXEC_ID = `sha256:${'e'.repeat(64)}`;

describe('ImagesView', () => {
  it('flags the rows of a shell-form image (every tag), inspecting each image once', async () => {
    const bridge = new FakeBridge()
      .on('images:list', () => [fakeImage(SHELL_ID, ['shellform:latest', 'shellform:1']), fakeImage(EXEC_ID, ['busybox:latest'])])
      .on('images:inspect', ({ ref }) =>
        ref === SHELL_ID ? fakeImageDetail(SHELL_ID, ['shellform:latest'], { cmd: ['/bin/sh', '-c', 'sleep 1000'] }) : fakeImageDetail(EXEC_ID, ['busybox:latest'], { cmd: ['sh'] }),
      );
    const { queryClient } = renderWithApp(<ImagesView />, bridge);
    const row = (ref: string): HTMLElement => document.querySelector(`tr[data-image-ref="${ref}"]`) as HTMLElement;
    await waitFor(() => expect(within(row('shellform:latest')).queryByTestId('shell-form-flag')).not.toBeNull());
    await waitFor(() => expect(within(row('shellform:1')).queryByTestId('shell-form-flag')).not.toBeNull());
    const flag = within(row('shellform:latest')).getByTestId('shell-form-flag');
    expect(flag.textContent).toBe('shell-form CMD');
    expect(flag.getAttribute('aria-label')).toMatch(/SIGTERM.*Fix: .*--init/);
    await waitFor(() => expect(queryClient.getQueryState(['host', 'local', 'images', 'inspect', EXEC_ID])?.status).toBe('success'));
    expect(within(row('busybox:latest')).queryByTestId('shell-form-flag')).toBeNull();
    const inspected = bridge.calls.filter((c) => c.channel === 'images:inspect').map((c) => (c.args as { ref: string }).ref);
    expect(inspected.sort()).toEqual([EXEC_ID, SHELL_ID].sort());
    expect(screen.getAllByTestId('shell-form-flag')).toHaveLength(2);
  });

  it('says what system df says is on disk, not the sum of image sizes, and counts containers', async () => {
    const row = { total: 0, active: 0, size: 0, reclaimable: 0 };
    const df: DiskUsageView = { images: { total: 2, active: 1, size: 253_000_000, reclaimable: 52_200_000 }, containers: row, volumes: row, buildCache: row };
    const bridge = new FakeBridge()
      .on('images:list', () => [
        fakeImage(SHELL_ID, ['small:1'], { size: 1_000_000, sharedSize: 0, uniqueSize: 1_000_000, containers: 0, created: 2 }),
        fakeImage(EXEC_ID, ['big:1'], { size: 252_000_000, sharedSize: 200_000_000, uniqueSize: 52_000_000, containers: 3, created: 1 }),
      ])
      .on('images:inspect', ({ ref }) => fakeImageDetail(ref, [], { cmd: ['sh'] }))
      .on('system:df', () => df);
    renderWithApp(<ImagesView />, bridge);
    await waitFor(() => expect(screen.getByTestId('images-summary').textContent).toBe('2 images, 253 MB on disk (52.2 MB reclaimable)'));
    const names = (): string[] => [...document.querySelectorAll('tr[data-image-ref]')].map((tr) => tr.getAttribute('data-image-ref') ?? '');
    // Newest first by default; sorting by Size puts the biggest first, a second click the smallest.
    expect(names()).toEqual(['small:1', 'big:1']);
    const bigRow = document.querySelector('tr[data-image-ref="big:1"]') as HTMLElement;
    expect(within(bigRow).getAllByRole('cell')[6]?.textContent).toBe('3');
    fireEvent.click(screen.getByRole('button', { name: /^Size/ }));
    expect(names()).toEqual(['big:1', 'small:1']);
    fireEvent.click(screen.getByRole('button', { name: /^Size/ }));
    expect(names()).toEqual(['small:1', 'big:1']);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter images' }), { target: { value: 'sma' } });
    expect(names()).toEqual(['small:1']);
  });
});
