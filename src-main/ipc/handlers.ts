import type { ContractHandlers } from './dispatcher';
import type { AppServices } from '../services/app-services';

/** Maps every contract channel to a service call; one table for Electron and web mode alike. */
export function createContractHandlers(services: AppServices): ContractHandlers {
  return {
    invoke: {
      'app:info': () => services.app.info(),
    },
    streams: {
      'app:heartbeat': ({ intervalMs }, sink) => {
        const timer = setInterval(() => sink.emit({ at: Date.now() }), Math.max(250, intervalMs));
        sink.signal.addEventListener('abort', () => clearInterval(timer));
      },
    },
  };
}
