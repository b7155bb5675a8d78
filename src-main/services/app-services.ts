import type { AppInfo } from '../../src-shared/ipc/models/app';

export interface AppServiceOptions {
  mode: AppInfo['mode'];
  version: string;
}

export class AppService {
  constructor(private readonly opts: AppServiceOptions) {}

  info(): AppInfo {
    return { version: this.opts.version, mode: this.opts.mode, platform: process.platform };
  }
}

/** Everything the contract handlers call; built once by each composition root. */
export interface AppServices {
  app: AppService;
}

export function createAppServices(opts: AppServiceOptions): AppServices {
  return { app: new AppService(opts) };
}
