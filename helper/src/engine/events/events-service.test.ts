import { describe, expect, it } from 'vitest';
import { EventsService } from './events-service';

describe('EventsService', () => {
  it('fans out to subscribers with filters and keeps history for since', () => {
    const ev = new EventsService();
    const got: string[] = [];
    const unsub = ev.subscribe(new Map([['type', ['container']], ['event', ['start', 'exec_create']]]), (e) => got.push(e.action));
    const first = ev.publish('container', 'create', 'a'.repeat(64), { name: 'x', image: 'busybox' });
    ev.publish('container', 'start', 'a'.repeat(64), { name: 'x', image: 'busybox' });
    ev.publish('image', 'pull', 'busybox:latest');
    ev.publish('container', 'exec_create: sh -c true', 'a'.repeat(64));
    unsub();
    ev.publish('container', 'start', 'b'.repeat(64));
    expect(got).toEqual(['start', 'exec_create: sh -c true']);
    expect(ev.subscriberCount).toBe(0);
    expect(ev.recent(new Map(), first.timeNano).map((e) => e.action)).toEqual(['create', 'start', 'pull', 'exec_create: sh -c true', 'start']);
    expect(ev.recent(new Map([['container', ['x']]])).map((e) => e.action)).toEqual(['create', 'start']);
    expect(ev.recent(new Map([['image', ['busybox']]])).map((e) => e.action)).toEqual(['create', 'start', 'pull']);
  });

  it('gives strictly increasing times', () => {
    const ev = new EventsService();
    const a = ev.publish('daemon', 'reload', 'd');
    const b = ev.publish('daemon', 'reload', 'd');
    expect(b.timeNano > a.timeNano).toBe(true);
  });
});
