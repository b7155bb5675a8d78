import { describe, expect, it } from 'vitest';
import { fakeContainer } from '../../../testing/fixtures';
import { toContainerRowView, type ContainerRowView } from './container-mapper';
import { composeMembership, groupByStack, healthOf, memberLabel, serviceColour, stackMatches } from './stack-model';

const compose = (project: string, service: string, n = '1') => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  'com.docker.compose.container-number': n,
});

function row(i: number, labels: Record<string, string>, state: 'running' | 'exited' = 'running', status?: string): ContainerRowView {
  return toContainerRowView(fakeContainer(i, { labels, state, status: status ?? (state === 'running' ? 'Up 5 minutes' : 'Exited (0) 1 minute ago') }), undefined, 0);
}

describe('compose stacks in the containers list', () => {
  it('reads project, service and replica from the compose labels', () => {
    expect(composeMembership(compose('shop', 'web', '2'))).toEqual({ project: 'shop', service: 'web', replica: 2 });
    expect(composeMembership({ 'com.docker.compose.project': 'shop' })).toEqual({ project: 'shop', service: '', replica: 1 });
    expect(composeMembership({ team: 'a' })).toBeNull();
    const r = row(1, compose('shop', 'db', '3'));
    expect([r.project, r.service, r.replica]).toEqual(['shop', 'db', 3]);
  });

  it('groups containers by project, counting running/total, and keeps the others standalone', () => {
    const rows = [row(1, compose('shop', 'web', '2')), row(2, {}), row(3, compose('blog', 'app')), row(4, compose('shop', 'db'), 'exited'), row(5, compose('shop', 'web', '1'))];
    const { stacks, standalone } = groupByStack(rows);
    expect(standalone.map((r) => r.name)).toEqual(['app-2']);
    expect(stacks.map((s) => [s.project, s.countLabel, s.tone])).toEqual([
      ['blog', '1/1 running', 'ok'],
      ['shop', '2/3 running', 'warn'],
    ]);
    const shop = stacks[1]!;
    expect(shop.members.map((m) => `${m.service}#${m.replica}`)).toEqual(['db#1', 'web#1', 'web#2']);
    expect(shop.services).toEqual(['db', 'web']);
    expect([shop.canStart, shop.canStop]).toEqual([true, true]);
  });

  it('says a stack with nothing running can be started but not stopped', () => {
    const [s] = groupByStack([row(1, compose('x', 'a'), 'exited'), row(2, compose('x', 'b'), 'exited')]).stacks;
    expect([s!.countLabel, s!.tone, s!.canStart, s!.canStop]).toEqual(['0/2 running', 'muted', true, false]);
  });

  it('filters a stack by its name or any member', () => {
    const [s] = groupByStack([row(1, compose('shop', 'web')), row(2, compose('shop', 'db'))]).stacks;
    expect(stackMatches(s!, 'SHO')).toBe(true);
    expect(stackMatches(s!, 'db')).toBe(true);
    expect(stackMatches(s!, 'app-2')).toBe(true);
    expect(stackMatches(s!, 'nginx')).toBe(false);
  });

  it('labels log lines by service, with the replica only when a service is scaled', () => {
    const [s] = groupByStack([row(1, compose('p', 'web', '1')), row(2, compose('p', 'web', '2')), row(3, compose('p', 'db'))]).stacks;
    expect(s!.members.map((m) => memberLabel(m, s!))).toEqual(['db', 'web-1', 'web-2']);
  });

  it('gives every service of a stack its own colour', () => {
    const services = ['db', 'web', 'worker'];
    const colours = services.map((x) => serviceColour(x, services));
    expect(new Set(colours).size).toBe(3);
    expect(serviceColour('web', services)).toBe(serviceColour('web', [...services]));
  });

  it('reads the health the engine appends to the status', () => {
    expect(healthOf('Up 3 minutes (healthy)')).toBe('healthy');
    expect(healthOf('Up 3 seconds (health: starting)')).toBe('starting');
    expect(healthOf('Up 1 minute (unhealthy)')).toBe('unhealthy');
    expect(healthOf('Up 1 minute')).toBeNull();
    expect(row(1, compose('p', 'db'), 'running', 'Up 1 minute (healthy)').health).toBe('healthy');
  });
});
