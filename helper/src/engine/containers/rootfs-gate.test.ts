import { describe, expect, it } from 'vitest';
import { RootfsGate } from './rootfs-gate';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('RootfsGate', () => {
  it('a start waits for an open view of the stopped rootfs to close', async () => {
    const gate = new RootfsGate(1000);
    const release = await gate.openView('c');
    let started = false;
    const start = gate.exclusive('c', async () => {
      started = true;
    });
    await tick();
    expect(started).toBe(false);
    release();
    await start;
    expect(started).toBe(true);
  });

  it('a view asked for during a start waits until the start is done', async () => {
    const gate = new RootfsGate(1000);
    const order: string[] = [];
    let finish!: () => void;
    const start = gate.exclusive('c', () => new Promise<void>((r) => (finish = () => (order.push('started'), r()))));
    const view = gate.openView('c').then((rel) => (order.push('view'), rel));
    await tick();
    expect(order).toEqual([]);
    finish();
    await start;
    (await view)();
    expect(order).toEqual(['started', 'view']);
  });

  it('a view that is never closed makes the start fail with 409 after the wait, and other containers are not held', async () => {
    const gate = new RootfsGate(30);
    await gate.openView('c');
    await expect(gate.exclusive('c', async () => 1)).rejects.toMatchObject({ message: expect.stringMatching(/filesystem is being copied/) });
    await expect(gate.exclusive('other', async () => 2)).resolves.toBe(2);
  });

  it('views share; release is idempotent', async () => {
    const gate = new RootfsGate(1000);
    const a = await gate.openView('c');
    const b = await gate.openView('c');
    a();
    a();
    let started = false;
    const start = gate.exclusive('c', async () => void (started = true));
    await tick();
    expect(started).toBe(false);
    b();
    await start;
    expect(started).toBe(true);
  });
});
