import type { BerthPort } from '../../../../src-shared/ipc/bridge';

export type PortStatus = 'connecting' | 'open' | 'closed';

/**
 * A BerthPort over the web-mode WebSocket. The token travels as the HttpOnly cookie set on first
 * load. Messages sent while (re)connecting are queued; after a drop it reconnects with backoff and
 * reports the disconnect so pending calls fail instead of hanging.
 */
export function createWebPort(url: string): BerthPort & { onDisconnect: (l: () => void) => void; onStatus: (l: (s: PortStatus) => void) => void } {
  const listeners = new Set<(message: unknown) => void>();
  const disconnectListeners = new Set<() => void>();
  const statusListeners = new Set<(s: PortStatus) => void>();
  let queue: string[] = [];
  let socket: WebSocket | undefined;
  let delay = 250;

  const setStatus = (s: PortStatus): void => statusListeners.forEach((l) => l(s));

  const connect = (): void => {
    setStatus('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      delay = 250;
      setStatus('open');
      for (const m of queue) ws.send(m);
      queue = [];
    };
    ws.onmessage = (event) => {
      let message: unknown;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      listeners.forEach((l) => l(message));
    };
    ws.onclose = () => {
      socket = undefined;
      setStatus('closed');
      disconnectListeners.forEach((l) => l());
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();

  return {
    send: (message) => {
      const text = JSON.stringify(message);
      if (socket?.readyState === WebSocket.OPEN) socket.send(text);
      else queue.push(text);
    },
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onDisconnect: (listener) => disconnectListeners.add(listener),
    onStatus: (listener) => statusListeners.add(listener),
  };
}
