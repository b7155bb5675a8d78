import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { ComposeDialog } from './compose-dialog';

afterEach(cleanup);

const fill = (file: string): void => {
  fireEvent.change(screen.getByLabelText('Compose file'), { target: { value: file } });
};
const stateOf = (service: string): string | null => within(screen.getByRole('list', { name: 'Services' })).getByText(service).closest('li')?.getAttribute('data-state') ?? null;

describe('run compose file dialog', () => {
  it('defaults the project to the folder, streams per-service states and output, then links to the stack', () => {
    const bridge = new FakeBridge();
    renderWithApp(<ComposeDialog hostId="local" onClose={() => undefined} />, bridge);
    fill('/home/me/Shop/compose.yaml');
    expect((screen.getByLabelText('Project name') as HTMLInputElement).value).toBe('shop');
    fireEvent.click(screen.getByLabelText('Build images before starting (--build)'));
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    const [stream] = bridge.open_('compose:up');
    expect(stream?.args).toEqual({ hostId: 'local', file: '/home/me/Shop/compose.yaml', project: 'shop', build: true });
    expect((screen.getByLabelText('Compose file') as HTMLInputElement).disabled).toBe(true);
    act(() => stream?.handlers.onEvent({ client: 'docker-compose 1.29.2', lines: [], services: [{ service: 'web', state: 'waiting' }, { service: 'db', state: 'waiting' }] }));
    act(() => stream?.handlers.onEvent({ lines: ['Building web'], services: [{ service: 'web', state: 'building' }, { service: 'db', state: 'waiting' }] }));
    expect(stateOf('web')).toBe('building');
    expect(screen.getByText('Using docker-compose 1.29.2')).toBeTruthy();
    act(() => stream?.handlers.onEvent({ lines: ['Creating shop_db_1 ... done', 'Creating shop_web_1 ... done'], services: [{ service: 'web', state: 'started', container: 'shop_web_1' }, { service: 'db', state: 'started', container: 'shop_db_1' }], done: { project: 'shop', durationMs: 900 } }));
    act(() => stream?.handlers.onEnd?.());
    expect(stateOf('web')).toBe('started');
    expect(stateOf('db')).toBe('started');
    expect(screen.getByRole('log', { name: 'Compose output' }).textContent).toBe('Building web\nCreating shop_db_1 ... done\nCreating shop_web_1 ... done');
    expect(screen.getByRole('link', { name: 'Open stack shop' }).getAttribute('href')).toBe('#/containers/stack/shop');
  });

  it('shows the failing service with its message and the client error', () => {
    const bridge = new FakeBridge();
    renderWithApp(<ComposeDialog hostId="local" onClose={() => undefined} />, bridge);
    fill('/srv/app/compose.yaml');
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    const [stream] = bridge.open_('compose:up');
    act(() => stream?.handlers.onEvent({ lines: [], services: [{ service: 'bad', state: 'error', message: 'Cannot start service bad: exec: "/nope"' }] }));
    act(() => stream?.handlers.onEnd?.({ kind: 'InvalidArgument', code: 'COMPOSE_UP_FAILED', message: 'bad: Cannot start service bad' }));
    expect(stateOf('bad')).toBe('error');
    expect(screen.getByText('Cannot start service bad: exec: "/nope"')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('bad: Cannot start service bad');
    expect(screen.queryByRole('link', { name: /Open stack/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Run again' })).toBeTruthy();
  });

  it('refuses a relative path, and Cancel closes the stream', () => {
    const bridge = new FakeBridge();
    renderWithApp(<ComposeDialog hostId="ssh-1" onClose={() => undefined} />, bridge);
    fill('app/compose.yaml');
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(bridge.open_('compose:up')).toHaveLength(0);
    expect(screen.getByText(/Give the absolute path/)).toBeTruthy();
    fill('/a/app/compose.yaml');
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(bridge.open_('compose:up')[0]?.args.hostId).toBe('ssh-1');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(bridge.open_('compose:up')).toHaveLength(0);
    expect(screen.getByRole('alert').textContent).toMatch(/Cancelled/);
  });
});
