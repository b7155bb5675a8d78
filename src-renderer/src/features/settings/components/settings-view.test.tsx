import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { SETTINGS_STORAGE_KEY } from '../../../lib/settings';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { SettingsView } from './settings-view';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

const stored = (): Record<string, unknown> => JSON.parse(window.localStorage.getItem(SETTINGS_STORAGE_KEY) ?? '{}') as Record<string, unknown>;

describe('SettingsView', () => {
  it('saves each change for the person: theme, default host, terminal font size, log lines, confirmations', async () => {
    const bridge = new FakeBridge().on('hosts:list', () => [
      { id: 'local', name: 'This machine', kind: 'local', address: 'unix:///run/berth/berthd.sock' },
      { id: 'ssh-1', name: 'build box', kind: 'ssh', address: 'ssh://me@box' },
    ]);
    renderWithApp(<SettingsView />, bridge);
    fireEvent.click(screen.getByRole('radio', { name: 'Light' }));
    expect(stored().theme).toBe('light');
    await screen.findByRole('option', { name: 'build box' });
    fireEvent.change(screen.getByLabelText('Open the app on'), { target: { value: 'ssh-1' } });
    expect(stored().defaultHost).toBe('ssh-1');
    fireEvent.change(screen.getByLabelText('Font size'), { target: { value: '16' } });
    expect(stored().terminalFontSize).toBe(16);
    fireEvent.change(screen.getByLabelText('Lines kept in the Logs tab'), { target: { value: '10000' } });
    expect(stored().logLineLimit).toBe(10000);
    fireEvent.click(screen.getByRole('switch', { name: 'Pruning' }));
    expect((stored().confirm as Record<string, boolean>).prune).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Reset to defaults' }));
    expect(stored().theme).toBe('system');
  });
});
