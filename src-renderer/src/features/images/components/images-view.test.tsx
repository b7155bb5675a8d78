import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
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
});
