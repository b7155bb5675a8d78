/**
 * Browser entry for the container-list benchmark: the WHOLE renderer (App: providers, sidebar,
 * status bar, the Containers view with its virtualised table, themes) over a fake engine that
 * lists `?n=` containers, so the figure is the app a person runs, minus the network. Built with
 * Vite (the app's own bundler: the view registry uses import.meta.glob) by
 * bench/cases/container-list-render.ts and loaded into Debian's Chromium.
 */
import '../../src-renderer/src/lib/zod-config';
import { createRoot } from 'react-dom/client';
import '../../src-renderer/src/app/styles.css';
import { App } from '../../src-renderer/src/app/app';
import { FakeBridge } from '../../src-renderer/src/testing/fake-bridge';
import { fakeContainers } from '../../src-renderer/src/testing/fixtures';

const n = Number(new URLSearchParams(window.location.search).get('n') ?? '1000');
const containers = fakeContainers(n);
const bridge = new FakeBridge()
  .on('hosts:list', () => [{ id: 'local', name: 'This machine', kind: 'local', address: 'unix:///run/berth/berthd.sock' }])
  .on('hosts:statuses', () => [{ hostId: 'local', state: 'connected', since: Date.now() }])
  .on('containers:list', () => containers)
  .on('images:list', () => [])
  .on('system:info', () => ({
    hostId: 'local',
    name: 'bench',
    serverVersion: '0.1.0',
    apiVersion: '1.48',
    os: 'linux',
    operatingSystem: 'Debian',
    kernelVersion: '6.1',
    architecture: 'x86_64',
    ncpu: 2,
    memTotal: 24 * 1024 ** 3,
    storageDriver: 'overlay2',
    cgroupVersion: '1',
    dockerRootDir: '/var/lib/berth',
    containers: n,
    containersRunning: containers.filter((c) => c.state === 'running').length,
    containersPaused: 0,
    containersStopped: containers.filter((c) => c.state !== 'running').length,
    images: 1,
    registryMirrors: [],
    isBerth: true,
    warnings: [],
  }));

declare global {
  interface Window {
    berthBench: {
      /** Scrolls the container table by `step` px per frame for `frames` frames; returns each frame's duration (ms). */
      scroll: (frames: number, step: number) => Promise<number[]>;
      rows: () => number;
    };
  }
}

window.location.hash = '#/containers';
createRoot(document.getElementById('root') as HTMLElement).render(<App bridge={bridge} />);

window.berthBench = {
  scroll: (frames, step) =>
    new Promise((resolve, reject) => {
      const el = document.querySelector<HTMLElement>('[data-testid="data-table-scroll"]');
      if (!el) {
        reject(new Error('no table'));
        return;
      }
      el.scrollTop = 0;
      const times: number[] = [];
      let last = 0;
      let dir = 1;
      const tick = (t: number): void => {
        if (last > 0) times.push(t - last);
        last = t;
        // Bounce at the ends so every frame scrolls (a person flicking up and down the list).
        if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) dir = -1;
        else if (el.scrollTop <= 0) dir = 1;
        el.scrollTop += dir * step;
        if (times.length < frames) requestAnimationFrame(tick);
        else resolve(times);
      };
      requestAnimationFrame(tick);
    }),
  rows: () => document.querySelectorAll('table[aria-label="Containers"] tbody tr[data-container-id]').length,
};
