import type { BerthBridge, BerthPort } from '../../../src-shared/ipc/bridge';
import { createBridge } from './transport/bridge-client';
import { createWebPort } from './transport/web-port';

declare global {
  interface Window {
    berthPort?: BerthPort;
  }
}

/** The one preconfigured client: Electron's preload port when present, else web mode's WebSocket. */
export function createDefaultBridge(): BerthBridge {
  if (window.berthPort) return createBridge(window.berthPort);
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return createBridge(createWebPort(`${scheme}://${window.location.host}/ws`));
}
