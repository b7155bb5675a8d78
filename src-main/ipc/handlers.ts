import type { ContractHandlers } from './dispatcher';
import type { AppServices } from '../services/app-services';
import { AppError } from '../lib/app-error';

const pending = (channel: string) => (): never => {
  throw new AppError('NotImplemented', 'NOT_IMPLEMENTED', `${channel} is being implemented`);
};

/** Maps every contract channel to a service call; one table for Electron and web mode alike. */
export function createContractHandlers(services: AppServices): ContractHandlers {
  return {
    invoke: {
      'app:info': () => services.app.info(),
      'hosts:list': pending('hosts:list'),
      'hosts:statuses': pending('hosts:statuses'),
      'hosts:add': pending('hosts:add'),
      'hosts:update': pending('hosts:update'),
      'hosts:remove': pending('hosts:remove'),
      'hosts:connect': pending('hosts:connect'),
      'hosts:disconnect': pending('hosts:disconnect'),
      'hosts:acceptHostKey': pending('hosts:acceptHostKey'),
      'system:info': pending('system:info'),
      'containers:list': pending('containers:list'),
      'containers:inspect': pending('containers:inspect'),
      'containers:run': pending('containers:run'),
      'containers:start': pending('containers:start'),
      'containers:stop': pending('containers:stop'),
      'containers:restart': pending('containers:restart'),
      'containers:kill': pending('containers:kill'),
      'containers:remove': pending('containers:remove'),
      'containers:prune': pending('containers:prune'),
      'containers:processes': pending('containers:processes'),
      'images:list': pending('images:list'),
      'images:inspect': pending('images:inspect'),
      'images:history': pending('images:history'),
      'images:layers': pending('images:layers'),
      'images:tag': pending('images:tag'),
      'images:remove': pending('images:remove'),
      'images:prune': pending('images:prune'),
      'mirrors:get': pending('mirrors:get'),
      'mirrors:validate': pending('mirrors:validate'),
      'mirrors:apply': pending('mirrors:apply'),
      'mirrors:health': pending('mirrors:health'),
    },
    streams: {
      'app:heartbeat': ({ intervalMs }, sink) => {
        const timer = setInterval(() => sink.emit({ at: Date.now() }), Math.max(250, intervalMs));
        sink.signal.addEventListener('abort', () => clearInterval(timer));
      },
      'host:status': pending('host:status'),
      'engine:events': pending('engine:events'),
      'containers:logs': pending('containers:logs'),
      'containers:stats': pending('containers:stats'),
      'containers:stats-summary': pending('containers:stats-summary'),
      'terminal:open': pending('terminal:open'),
      'images:pull': pending('images:pull'),
      'images:push': pending('images:push'),
    },
  };
}
