import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import type { RunSpec } from '../../../../../src-shared/ipc/models/containers';
import { FakeBridge } from '../../../testing/fake-bridge';
import { fakeImage, fakeImageDetail } from '../../../testing/fixtures';
import { renderWithApp } from '../../../testing/render';
import { defineRunSection, ExtensionsProvider } from '../../../lib/extension-points';
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
    expect(bridge.calls.filter((c) => c.channel === 'containers:run')).toHaveLength(0);
  });

  const SHELL_ID = `sha256:${'5'.repeat(64)}`;
  const EXEC_ID = `sha256:${'e'.repeat(64)}`;
  const localImages = (): FakeBridge =>
    new FakeBridge()
      .on('images:list', () => [fakeImage(SHELL_ID, ['127.0.0.1:5000/shellform:latest']), fakeImage(EXEC_ID, ['busybox:latest', 'busybox:1.36'], { created: 1_800_000_000_000 })])
      .on('images:inspect', ({ ref }) =>
        ref === '127.0.0.1:5000/shellform:latest'
          ? fakeImageDetail(SHELL_ID, ['127.0.0.1:5000/shellform:latest'], { cmd: ['/bin/sh', '-c', 'sleep 1000'] })
          : fakeImageDetail(EXEC_ID, ['busybox:latest', 'busybox:1.36'], { cmd: ['sh'] }),
      );

  it('suggests the host’s local images in the Image field', async () => {
    renderWithApp(<RunDialog hostId="local" onClose={() => undefined} />, localImages());
    const list = screen.getByTestId('run-image-suggestions');
    expect(screen.getByLabelText('Image').getAttribute('list')).toBe(list.id);
    await waitFor(() => expect(list.querySelectorAll('option')).toHaveLength(3));
    expect([...list.querySelectorAll('option')].map((o) => o.getAttribute('value'))).toEqual(['busybox:latest', 'busybox:1.36', '127.0.0.1:5000/shellform:latest']);
  });

  it('warns when the chosen local image’s CMD is in shell form; an exec-form command or --init silences it', async () => {
    const bridge = localImages();
    renderWithApp(<RunDialog hostId="local" onClose={() => undefined} />, bridge);
    await waitFor(() => expect(screen.getByTestId('run-image-suggestions').querySelectorAll('option')).toHaveLength(3));
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: '127.0.0.1:5000/shellform' } });
    const warning = await screen.findByTestId('pid1-warning');
    expect(warning.textContent).toMatch(/Shell-form CMD: \/bin\/sh runs as PID 1/);
    expect(warning.textContent).toMatch(/SIGTERM/);
    expect(screen.getByTestId('pid1-source').textContent).toMatch(/127\.0\.0\.1:5000\/shellform’s CMD is in shell form/);
    expect(bridge.calls.filter((c) => c.channel === 'images:inspect').map((c) => (c.args as { ref: string }).ref)).toEqual(['127.0.0.1:5000/shellform:latest']);
    // An argument list replaces the image's CMD: the program is PID 1.
    fireEvent.change(screen.getByLabelText('Argument 1'), { target: { value: 'sleep' } });
    expect(screen.queryByTestId('pid1-warning')).toBeNull();
    fireEvent.change(screen.getByLabelText('Argument 1'), { target: { value: '' } });
    expect(screen.getByTestId('pid1-warning')).toBeTruthy();
    fireEvent.click(screen.getByLabelText(/--init/));
    expect(screen.queryByTestId('pid1-warning')).toBeNull();
  });

  it('does not warn for a local exec-form image, nor inspect what is not local', async () => {
    const bridge = localImages();
    const { queryClient } = renderWithApp(<RunDialog hostId="local" onClose={() => undefined} />, bridge);
    await waitFor(() => expect(screen.getByTestId('run-image-suggestions').querySelectorAll('option')).toHaveLength(3));
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'alpine' } });
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'busybox' } });
    await waitFor(() => expect(queryClient.getQueryState(['host', 'local', 'images', 'inspect', 'busybox:latest'])?.status).toBe('success'));
    expect(screen.queryByTestId('pid1-warning')).toBeNull();
    expect(bridge.calls.filter((c) => c.channel === 'images:inspect').map((c) => (c.args as { ref: string }).ref)).toEqual(['busybox:latest']);
  });

  const specOf = (bridge: FakeBridge): RunSpec => (bridge.calls.find((c) => c.channel === 'containers:run')?.args as { spec: RunSpec }).spec;

  it('says exec form alone only helps programs that handle SIGTERM, and Use --init ticks --init', async () => {
    const bridge = new FakeBridge().on('containers:run', () => ({ id: 'abc', warnings: [], started: true }));
    renderWithApp(<RunDialog hostId="local" onClose={() => undefined} />, bridge);
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'busybox' } });
    fireEvent.change(screen.getByLabelText('Argument 1'), { target: { value: 'sleep' } });
    expect(screen.getByTestId('exec-form-note').textContent).toMatch(/only if it handles SIGTERM itself/);
    expect(screen.getByTestId('exec-form-note').textContent).not.toMatch(/recommended/);
    fireEvent.click(screen.getByRole('button', { name: 'Use --init' }));
    expect((screen.getByLabelText('--init') as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByTestId('exec-form-note')).toBeNull();
    fireEvent.click(screen.getByText('Run'));
    await waitFor(() => expect(specOf(bridge)).toMatchObject({ init: true, cmd: ['sleep'] }));
  });

  it('sends the restart policy and labels', async () => {
    const bridge = new FakeBridge().on('containers:run', () => ({ id: 'abc', warnings: [], started: true }));
    renderWithApp(<RunDialog hostId="local" onClose={() => undefined} />, bridge);
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'busybox' } });
    fireEvent.change(screen.getByLabelText('Restart policy'), { target: { value: 'on-failure' } });
    fireEvent.change(screen.getByLabelText(/Maximum retries/), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText(/Labels/), { target: { value: 'team=web\ntier=a=b' } });
    fireEvent.click(screen.getByText('Run'));
    await waitFor(() => expect(specOf(bridge)).toMatchObject({ restartPolicy: { name: 'on-failure', maximumRetryCount: 3 }, labels: { team: 'web', tier: 'a=b' } }));
  });

  it('pulls an image the host does not have, with progress, then runs it', async () => {
    const bridge = new FakeBridge()
      .on('images:list', () => [fakeImage(EXEC_ID, ['busybox:latest'])])
      .on('containers:run', () => ({ id: 'new1', warnings: [], started: true }));
    const onClose = vi.fn();
    renderWithApp(<RunDialog hostId="local" onClose={onClose} />, bridge);
    await waitFor(() => expect(screen.getByTestId('run-image-suggestions').querySelectorAll('option')).toHaveLength(1));
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'alpine:3' } });
    expect(screen.getByText(/Not on this host yet/)).toBeTruthy();
    fireEvent.click(screen.getByText('Run'));
    await waitFor(() => expect(bridge.open_('images:pull')[0]?.args).toEqual({ hostId: 'local', ref: 'alpine:3' }));
    expect(bridge.calls.filter((c) => c.channel === 'containers:run')).toHaveLength(0);
    act(() =>
      bridge.emit('images:pull', {
        ref: 'alpine:3',
        state: 'running',
        layers: [{ id: 'l1', status: 'Downloading', phase: 'downloading', current: 5, total: 10 }],
        current: 5,
        total: 10,
        messages: [],
        mirror: null,
        mirrorFailures: [],
        digest: null,
        error: null,
      }),
    );
    expect(screen.getByTestId('run-pull').textContent).toMatch(/In progress/);
    act(() => bridge.end('images:pull'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(specOf(bridge).image).toBe('alpine:3');
  });

  it('takes sections other features register, and applies them to the spec', async () => {
    const bridge = new FakeBridge().on('containers:run', () => ({ id: 'abc', warnings: [], started: true }));
    const section = defineRunSection<{ dir: string }>({
      id: 'workdir',
      title: 'Working directory',
      order: 35,
      initial: () => ({ dir: '' }),
      validate: (v): Record<string, string> => (v.dir !== '' && !v.dir.startsWith('/') ? { dir: 'Absolute path.' } : {}),
      apply: (v, spec) => (v.dir ? { ...spec, workingDir: v.dir } : spec),
      Component: ({ value, onChange, errors, showErrors }) => (
        <>
          <label>
            Workdir
            <input value={value.dir} onChange={(e) => onChange({ dir: e.target.value })} />
          </label>
          {showErrors && errors.dir ? <span>{errors.dir}</span> : null}
        </>
      ),
    });
    renderWithApp(
      <ExtensionsProvider value={{ runSections: [section], containerTabs: [] }}>
        <RunDialog hostId="local" onClose={() => undefined} />
      </ExtensionsProvider>,
      bridge,
    );
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'busybox' } });
    fireEvent.change(screen.getByLabelText('Workdir'), { target: { value: 'relative' } });
    fireEvent.click(screen.getByText('Run'));
    expect(screen.getByText('Absolute path.')).toBeTruthy();
    expect(bridge.calls.filter((c) => c.channel === 'containers:run')).toHaveLength(0);
    fireEvent.change(screen.getByLabelText('Workdir'), { target: { value: '/srv' } });
    fireEvent.click(screen.getByText('Run'));
    await waitFor(() => expect(specOf(bridge)).toMatchObject({ image: 'busybox', workingDir: '/srv' }));
  });
});
