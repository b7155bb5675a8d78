import { contextBridge, ipcRenderer } from 'electron';
import type { BerthPort } from '../../src-shared/ipc/bridge';

/** The renderer's entire privileged surface: one typed message port, no logic. */
const port: BerthPort = {
  send: (message) => ipcRenderer.send('berth:msg', message),
  onMessage: (listener) => {
    const wrapped = (_event: unknown, message: unknown): void => listener(message);
    ipcRenderer.on('berth:msg', wrapped);
    return () => ipcRenderer.off('berth:msg', wrapped);
  },
};

contextBridge.exposeInMainWorld('berthPort', port);
