export interface AppInfo {
  version: string;
  /** `electron` in the desktop window, `web` in a browser. */
  mode: 'electron' | 'web';
  platform: string;
}
