import { join } from 'node:path';
import { loadAppConfig } from '../lib/config';
import { createAppServices } from '../services/app-services';
import { createContractHandlers } from '../ipc/handlers';
import { startWebServer } from './web-server';

/** Composition root of web mode: the app's main side without Electron, served to a browser. */
async function main(): Promise<void> {
  const config = loadAppConfig(process.env, { rendererDir: join(import.meta.dirname, '../renderer'), bundleDir: join(import.meta.dirname, '../bundle') });
  const services = createAppServices({
    mode: 'web',
    version: '0.1.0',
    stateDir: config.stateDir,
    localSocket: config.localSocket,
    userKnownHosts: [config.userKnownHosts],
    ...(config.agentSocket ? { agentSocket: config.agentSocket } : {}),
    dockerConfigDir: config.dockerConfigDir,
    bundleDir: config.bundleDir,
    // Web mode runs on node itself: the same binary goes into machine guests unless told otherwise.
    machines: { bundleDir: config.bundleDir, guestNode: config.guestNode ?? process.execPath, shareHome: config.homeDir, ...(config.machineImage ? { guestImageArchive: config.machineImage } : {}) },
  });
  await services.start();
  const server = await startWebServer({
    staticDir: config.rendererDir,
    handlers: createContractHandlers(services),
    port: config.webPort,
    ...(config.webToken ? { token: config.webToken } : {}),
  });
  process.stdout.write(`Berth web mode: open ${server.url}\n`);
  const stop = (): void => {
    services.close();
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`berth web: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
