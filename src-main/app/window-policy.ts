/**
 * What the desktop window may do, as pure policy (Electron's security checklist): the renderer
 * is sandboxed, context-isolated and has no Node; it may navigate only within the app's own
 * page; new windows are never opened in-app; links to a published port (loopback http/https)
 * open in the system browser, and nothing else leaves the app.
 */

/** webPreferences of every Berth window. */
export function secureWebPreferences(preload: string): {
  preload: string;
  sandbox: true;
  contextIsolation: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webviewTag: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  spellcheck: false;
} {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    spellcheck: false,
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Navigation inside the window: only to the page the app loaded (same origin and path; for
 * file:// that is the very index.html), so an injected link cannot replace the app.
 */
export function isOwnPage(target: string, appUrl: string): boolean {
  const t = parse(target);
  const a = parse(appUrl);
  if (!t || !a) return false;
  if (t.protocol !== a.protocol) return false;
  if (a.protocol === 'file:') return t.pathname === a.pathname;
  return t.origin === a.origin;
}

/**
 * The allow-list for the system browser: http(s) to a loopback address with an explicit port
 * (what a published port looks like), no credentials in the URL. Everything else is dropped.
 */
export function isAllowedExternal(target: string): boolean {
  const u = parse(target);
  if (!u) return false;
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.username !== '' || u.password !== '') return false;
  if (!LOOPBACK.has(u.hostname)) return false;
  return u.port !== '';
}
