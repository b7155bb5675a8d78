import { conflict } from '../../lib/errors';

/**
 * Keeps `docker cp`/export of a stopped container and that container's start apart. A stopped
 * container's filesystem is read by mounting its overlay a second time (in berth-cfs's private
 * mount namespace); two overlay mounts sharing one upper dir is undefined behaviour in the kernel,
 * and a write through the copy's mount would be lost to the running container's cached view.
 *
 * Views are shared with each other; a start is exclusive. A start waits for open views to close
 * (up to `startWaitMs`, then 409 naming the cause, so a download that is never read cannot block a
 * start forever); a view asked for while a start runs waits for it and then sees a running
 * container, which it reads through `/proc/<pid>/root` instead.
 */
export class RootfsGate {
  private readonly views = new Map<string, number>();
  private readonly starts = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(private readonly startWaitMs = 30_000) {}

  /** Registers a view of a stopped container's rootfs; returns its release. */
  async openView(id: string): Promise<() => void> {
    for (let s = this.starts.get(id); s; s = this.starts.get(id)) await s.catch(() => undefined);
    this.views.set(id, (this.views.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.views.get(id) ?? 1) - 1;
      if (n > 0) {
        this.views.set(id, n);
        return;
      }
      this.views.delete(id);
      for (const wake of this.waiters.get(id) ?? []) wake();
      this.waiters.delete(id);
    };
  }

  /** Runs a start once no view of the stopped rootfs is open; views asked for meanwhile wait. */
  async exclusive<T>(id: string, start: () => Promise<T>): Promise<T> {
    for (let s = this.starts.get(id); s; s = this.starts.get(id)) await s.catch(() => undefined);
    let done!: () => void;
    const gate = new Promise<void>((r) => (done = r));
    this.starts.set(id, gate);
    try {
      await this.viewsClosed(id);
      return await start();
    } finally {
      this.starts.delete(id);
      done();
    }
  }

  private async viewsClosed(id: string): Promise<void> {
    if (!this.views.has(id)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(id) ?? [];
        this.waiters.set(id, list.filter((w) => w !== wake));
        reject(conflict('CONTAINER_FS_IN_USE', `container ${id} cannot be started: its filesystem is being copied (docker cp or export); try again when the copy ends`));
      }, this.startWaitMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), wake]);
    });
  }
}
