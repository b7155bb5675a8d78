import { existsSync } from 'node:fs';
import { app, BrowserWindow, ipcMain, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerMessage } from '../../src-shared/ipc/wire';
import { connectContract, type ContractConnection } from '../ipc/dispatcher';
import { createContractHandlers } from '../ipc/handlers';
import { createAppServices } from '../services/app-services';
import { loadAppConfig } from '../lib/config';
import { isAllowedExternal, isOwnPage, secureWebPreferences } from './window-policy';

/** Electron glue only: windows and the IPC transport. All behaviour lives in services. */
const config = loadAppConfig(process.env, { rendererDir: join(import.meta.dirname, '../renderer'), bundleDir: join(import.meta.dirname, '../bundle') });
const services = createAppServices({
  mode: 'electron',
  version: app.getVersion(),
  stateDir: config.stateDir,
  localSocket: config.localSocket,
  userKnownHosts: [config.userKnownHosts],
  ...(config.agentSocket ? { agentSocket: config.agentSocket } : {}),
  dockerConfigDir: config.dockerConfigDir,
  bundleDir: config.bundleDir,
  // Electron is not a node for guests: machines need BERTH_GUEST_NODE or a system node to build
  // an image, or a prebuilt one (BERTH_MACHINE_IMAGE: how macOS and Windows desktops get theirs).
  ...(config.machineImage || config.guestNode || existsSync('/usr/bin/node')
    ? { machines: { bundleDir: config.bundleDir, guestNode: config.guestNode ?? '/usr/bin/node', shareHome: config.homeDir, ...(config.machineImage ? { guestImageArchive: config.machineImage } : {}) } }
    : {}),
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

/** Where the window's own page lives; navigation anywhere else is refused. */
const APP_URL = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href;

// Every web contents (windows, and any a bug might create): no in-app popups or foreign pages,
// no <webview>, no permission prompts; published-port links go to the system browser.
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (isOwnPage(url, APP_URL)) return;
    event.preventDefault();
    if (isAllowedExternal(url)) void shell.openExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isOwnPage(url, APP_URL)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});
// Every renderer is sandboxed, including any a bug might create (must run before 'ready').
app.enableSandbox();

async function createWindow(): Promise<void> {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Berth',
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/preload.cjs')),
  });
  if (process.env.ELECTRON_RENDERER_URL) await win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
}

void app.whenReady().then(() => {
  // The app asks for no browser permission (camera, notifications, …): refuse them all.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  return createWindow();
});
app.on('window-all-closed', () => {
  services.close();
  app.quit();
});
