import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { FakeBridge } from '../../../testing/fake-bridge';
import { fakeContainer } from '../../../testing/fixtures';
import { renderWithApp } from '../../../testing/render';
import { StackDetails } from './stack-details';

afterEach(cleanup);

const member = (i: number, service: string, over: Parameters<typeof fakeContainer>[1] = {}) =>
  fakeContainer(i, {
    name: `shop-${service}-1`,
    state: 'running',
    status: 'Up 1 minute',
    labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': service, 'com.docker.compose.container-number': '1' },
    ...over,
  });
const WEB = member(1, 'web', { status: 'Up 1 minute (healthy)', ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' }] });
const DB = member(2, 'db');
const RESOURCES = {
  networks: [{ id: 'n1', name: 'shop_default', driver: 'bridge', internal: false, subnets: ['172.20.0.0/16'] }],
  volumes: [{ name: 'shop_data', driver: 'local', composeName: 'data', mountpoint: '/var/lib/berth/volumes/shop_data/_data' }],
};

describe('stack details', () => {
  it('shows services with state, health and port links, and the stack’s networks and volumes', async () => {
    const bridge = new FakeBridge().on('containers:list', () => [WEB, DB]).on('stacks:resources', () => RESOURCES);
    renderWithApp(<StackDetails project="shop" />, bridge);
    const services = await screen.findByRole('table', { name: 'Services' });
    const web = services.querySelector('tr[data-service="web"]') as HTMLElement;
    expect(within(web).getByTestId('service-health').textContent).toBe('healthy');
    expect(within(web).getByRole('link', { name: '8080→80/tcp' }).getAttribute('href')).toBe('http://127.0.0.1:8080/');
    expect(within(services.querySelector('tr[data-service="db"]') as HTMLElement).getByTestId('service-health').textContent).toBe('—');
    expect(within(await screen.findByRole('table', { name: 'Stack networks' })).getByText('shop_default')).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Stack volumes' })).getByText('data')).toBeTruthy();
    expect(bridge.calls.find((c) => c.channel === 'stacks:resources')?.args).toEqual({ hostId: 'local', project: 'shop' });
  });

  it('merges every service’s log by timestamp, each line prefixed with its service', async () => {
    const bridge = new FakeBridge().on('containers:list', () => [WEB, DB]).on('stacks:resources', () => RESOURCES);
    renderWithApp(<StackDetails project="shop" initialTab="logs" />, bridge);
    await waitFor(() => expect(bridge.open_('containers:logs')).toHaveLength(2));
    const streams = bridge.open_('containers:logs');
    expect(streams.every((s) => s.args.timestamps === true && s.args.follow === true)).toBe(true);
    const of = (id: string) => streams.find((s) => s.args.id === id)!;
    const ts = (s: string) => `2026-01-01T10:00:0${s}Z`;
    act(() => {
      of(WEB.id).handlers.onEvent({ lines: [{ stream: 'stdout', text: 'web one', timestamp: ts('1') }, { stream: 'stdout', text: 'web two', timestamp: ts('3') }] });
      of(DB.id).handlers.onEvent({ lines: [{ stream: 'stdout', text: 'db one', timestamp: ts('2') }] });
    });
    const log = screen.getByRole('log', { name: 'Stack logs' });
    const lines = [...log.querySelectorAll('.log-line')].map((l) => [l.getAttribute('data-service'), l.querySelector('.service')?.textContent, l.querySelector('.text')?.textContent]);
    expect(lines).toEqual([
      ['web', 'web |', 'web one'],
      ['db', 'db  |', 'db one'],
      ['web', 'web |', 'web two'],
    ]);
    const colour = (service: string) => (log.querySelector(`.log-line[data-service="${service}"] .service`) as HTMLElement).style.color;
    expect(colour('web')).not.toBe(colour('db'));
  });
});
