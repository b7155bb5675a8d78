import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import type { MirrorsConfigView } from '../../../../../src-shared/ipc/models/mirrors';
import { BerthClientError } from '../../../lib/transport/bridge-client';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { MirrorsView } from './mirrors-view';

afterEach(cleanup);

const config = (raw: string, registryMirrors: string[]): MirrorsConfigView => ({ supported: true, registryMirrors, mirrors: {}, insecureRegistries: [], raw, warnings: [] });

function setup() {
  let inForce = config('{\n  "log-level": "info"\n}\n', []);
  const bridge = new FakeBridge()
    .on('mirrors:get', () => inForce)
    .on('mirrors:health', () => ({ supported: true, checkedAt: Date.now(), mirrors: inForce.registryMirrors.map((url, i) => ({ url, registry: 'docker.io', reachable: i > 0, latencyMs: i > 0 ? 3.2 : null, status: i > 0 ? 200 : null, error: i > 0 ? null : 'connection refused' })) }))
    .on('mirrors:validate', ({ update }) => {
      const raw = 'raw' in update ? update.raw : '';
      try {
        JSON.parse(raw);
      } catch {
        return { valid: false, message: 'invalid character', position: { offset: 1, line: 1, column: 2 }, entryErrors: [], warnings: [] };
      }
      return { valid: true, entryErrors: [], warnings: [] };
    })
    .on('mirrors:apply', ({ update }) => {
      if (!('raw' in update)) throw new BerthClientError({ kind: 'InvalidArgument', code: 'INVALID_CONFIG', message: 'x' });
      const parsed = JSON.parse(update.raw) as { 'registry-mirrors'?: string[] };
      inForce = config(update.raw, parsed['registry-mirrors'] ?? []);
      return inForce;
    });
  return { bridge, current: () => inForce };
}

describe('MirrorsView', () => {
  it('keeps the list and the daemon.json text in sync, and applies', async () => {
    const { bridge, current } = setup();
    renderWithApp(<MirrorsView />, bridge);
    const text = (await screen.findByLabelText('daemon.json')) as HTMLTextAreaElement;
    fireEvent.change(screen.getByLabelText('New mirror URL'), { target: { value: 'http://127.0.0.1:1' } });
    fireEvent.click(screen.getByText('Add mirror'));
    fireEvent.change(screen.getByLabelText('New mirror URL'), { target: { value: 'http://127.0.0.1:5001' } });
    fireEvent.click(screen.getByText('Add mirror'));
    expect(JSON.parse(text.value)).toEqual({ 'log-level': 'info', 'registry-mirrors': ['http://127.0.0.1:1', 'http://127.0.0.1:5001'] });
    fireEvent.click(screen.getByLabelText('Move mirror 2 up'));
    expect(JSON.parse(text.value)['registry-mirrors']).toEqual(['http://127.0.0.1:5001', 'http://127.0.0.1:1']);
    // Editing the text updates the list.
    fireEvent.change(text, { target: { value: '{"registry-mirrors": ["http://127.0.0.1:1", "http://127.0.0.1:5001"]}' } });
    expect((screen.getByLabelText('Mirror 1') as HTMLInputElement).value).toBe('http://127.0.0.1:1');
    fireEvent.click(screen.getByText('Apply'));
    expect(await screen.findByTestId('mirrors-applied')).toBeTruthy();
    expect(current().registryMirrors).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:5001']);
    await waitFor(() => expect(screen.getAllByText('Unreachable')).toHaveLength(1));
    const dead = screen.getByRole('table', { name: 'Mirror health' }).querySelector('tr[data-mirror="http://127.0.0.1:1"]');
    expect(dead?.textContent).toMatch(/Unreachable.*connection refused/);
    expect(screen.getByText('3.2 ms')).toBeTruthy();
  });

  it('marks a bad entry next to it and refuses to apply', async () => {
    const { bridge } = setup();
    renderWithApp(<MirrorsView />, bridge);
    await screen.findByLabelText('daemon.json');
    fireEvent.change(screen.getByLabelText('New mirror URL'), { target: { value: 'http://h:5000/v2/path' } });
    fireEvent.click(screen.getByText('Add mirror'));
    expect(screen.getByTestId('mirror-error').textContent).toMatch(/remove the path/);
    fireEvent.click(screen.getByText('Apply'));
    await waitFor(() => expect(bridge.count('mirrors:validate')).toBe(1));
    expect(bridge.count('mirrors:apply')).toBe(0);
  });

  it('refuses invalid JSON with the position, and the old config stays', async () => {
    const { bridge, current } = setup();
    renderWithApp(<MirrorsView />, bridge);
    const text = await screen.findByLabelText('daemon.json');
    const before = current().raw;
    fireEvent.change(text, { target: { value: '{"registry-mirrors": [' } });
    expect(screen.getByTestId('json-error').textContent).toMatch(/^Line 1, column 23: Invalid JSON/);
    expect((screen.getByLabelText('New mirror URL') as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(screen.getByText('Apply'));
    expect((await screen.findByTestId('mirrors-refused')).textContent).toMatch(/configuration in force is unchanged.*Line 1, column 2: invalid character/);
    expect(bridge.count('mirrors:apply')).toBe(0);
    expect(current().raw).toBe(before);
  });
});
