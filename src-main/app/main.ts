import { app, BrowserWindow, ipcMain, type WebContents } from 'electron';
import { join } from 'node:path';
import type { ServerMessage } from '../../src-shared/ipc/wire';
import { connectContract, type ContractConnection } from '../ipc/dispatcher';
import { createContractHandlers } from '../ipc/handlers';
import { createAppServices } from '../services/app-services';
import { loadAppConfig } from '../lib/config';

/** Electron glue only: windows and the IPC transport. All behaviour lives in services. */
const config = loadAppConfig(process.env, { rendererDir: join(import.meta.dirname, '../renderer') });
const services = createAppServices({
  mode: 'electron',
  version: app.getVersion(),
  stateDir: config.stateDir,
  localSocket: config.localSocket,
  userKnownHosts: [config.userKnownHosts],
  ...(config.agentSocket ? { agentSocket: config.agentSocket } : {}),
});
void services.start();
const handlers = createContractHandlers(services);
const connections = new Map<number, ContractConnection>();

function connectionFor(contents: WebContents): ContractConnection {
  let connection = connections.get(contents.id);
  if (!connection) {
    connection = connectContract(handlers, (message: ServerMessage) => {
      if (!contents.isDestroyed()) contents.send('berth:msg', message);
    });
    connections.set(contents.id, connection);
    contents.once('destroyed', () => {
      connections.get(contents.id)?.dispose();
      connections.delete(contents.id);
    });
  }
  return connection;
}

ipcMain.on('berth:msg', (event, message: unknown) => connectionFor(event.sender).receive(message));

async function createWindow(): Promise<void> {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Berth',
    webPreferences: { preload: join(import.meta.dirname, '../preload/preload.mjs'), contextIsolation: true, sandbox: false, nodeIntegration: false },
  });
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
}

void app.whenReady().then(createWindow);
app.on('window-all-closed', () => {
  services.close();
  app.quit();
});
