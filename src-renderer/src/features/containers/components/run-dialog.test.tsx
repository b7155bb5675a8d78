import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import type { RunSpec } from '../../../../../src-shared/ipc/models/containers';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { RunDialog } from './run-dialog';

afterEach(cleanup);

describe('RunDialog', () => {
  it('sends the argument list as an exec-form argv and opens the new container', async () => {
    const bridge = new FakeBridge().on('containers:run', () => ({ id: 'abc', warnings: [], started: true }));
    const onClose = vi.fn();
    renderWithApp(<RunDialog hostId="local" onClose={onClose} />, bridge);
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'busybox' } });
    fireEvent.change(screen.getByLabelText('Argument 1'), { target: { value: 'sleep' } });
    fireEvent.click(screen.getByText('Add argument'));
    fireEvent.change(screen.getByLabelText('Argument 2'), { target: { value: '1000' } });
    fireEvent.change(screen.getByLabelText('Memory limit'), { target: { value: '32m' } });
    fireEvent.click(screen.getByText('Run'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const spec = (bridge.calls.find((c) => c.channel === 'containers:run')?.args as { spec: RunSpec }).spec;
    expect(spec).toMatchObject({ image: 'busybox', cmd: ['sleep', '1000'], memoryBytes: 32 * 1024 * 1024, tty: true });
    expect(window.location.hash).toBe('#/containers/abc');
    expect(screen.queryByTestId('pid1-warning')).toBeNull();
  });

  it('explains PID 1 when the shell form is chosen, and --init silences it', () => {
    renderWithApp(<RunDialog hostId="local" onClose={() => undefined} />);
    fireEvent.click(screen.getByLabelText(/Shell command/));
    fireEvent.change(screen.getByLabelText('Shell command'), { target: { value: 'sleep 1000' } });
    expect(screen.getByTestId('pid1-warning').textContent).toMatch(/\/bin\/sh runs as PID 1/);
    fireEvent.click(screen.getByLabelText(/--init/));
    expect(screen.queryByTestId('pid1-warning')).toBeNull();
  });

  it('shows field errors and sends nothing', () => {
    const bridge = new FakeBridge();
    renderWithApp(<RunDialog hostId="local" onClose={() => undefined} />, bridge);
    fireEvent.change(screen.getByLabelText('Memory limit'), { target: { value: 'lots' } });
    fireEvent.click(screen.getByText('Run'));
    expect(screen.getByText('Choose the image to run.')).toBeTruthy();
    expect(screen.getByText(/A size such as 64m/)).toBeTruthy();
    expect(bridge.calls).toHaveLength(0);
  });
});
