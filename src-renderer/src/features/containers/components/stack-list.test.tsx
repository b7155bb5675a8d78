import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge } from '../../../testing/fake-bridge';
import { fakeContainer } from '../../../testing/fixtures';
import { renderWithApp } from '../../../testing/render';
import { ContainersView } from './containers-view';

afterEach(cleanup);

const member = (i: number, service: string, state: 'running' | 'exited') =>
  fakeContainer(i, {
    name: `shop-${service}-1`,
    state,
    status: state === 'running' ? 'Up 1 minute' : 'Exited (0) 1 minute ago',
    labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': service, 'com.docker.compose.container-number': '1' },
  });

describe('compose stacks in the containers list', () => {
  it('groups a stack under one row with its counts and each member’s service, apart from standalone containers', async () => {
    const bridge = new FakeBridge().on('containers:list', () => [member(1, 'web', 'running'), member(2, 'db', 'exited'), fakeContainer(3, { name: 'loner' })]);
    renderWithApp(<ContainersView />, bridge);
    const stack = await screen.findByRole('group', { name: 'Stack shop' });
    expect(within(stack).getByTestId('stack-count').textContent).toBe('1/2 running');
    const services = within(stack).getAllByTestId('member-service').map((e) => e.textContent);
    expect(services).toEqual(['db #1 · ', 'web #1 · ']);
    expect(within(stack).queryByText('loner')).toBeNull();
    expect(screen.getByText('loner')).toBeTruthy();
    fireEvent.click(within(stack).getByRole('button', { name: 'Collapse stack shop' }));
    expect(within(stack).queryByText('shop-web-1')).toBeNull();
  });

  it('stops the whole stack with one action', async () => {
    const calls: unknown[] = [];
    const bridge = new FakeBridge()
      .on('containers:list', () => [member(1, 'web', 'running'), member(2, 'db', 'running')])
      .on('stacks:stop', (a) => {
        calls.push(a);
        return { containers: ['shop-web-1', 'shop-db-1'], networksRemoved: [], failures: [] };
      });
    renderWithApp(<ContainersView />, bridge);
    const stack = await screen.findByRole('group', { name: 'Stack shop' });
    fireEvent.click(within(stack).getByRole('button', { name: 'Stop stack shop' }));
    await waitFor(() => expect(calls).toEqual([{ hostId: 'local', project: 'shop' }]));
  });
});
