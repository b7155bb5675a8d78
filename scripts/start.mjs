// `npm start`: make sure a local berthd answers (start one if we may), make sure the app is built,
// then open the desktop window where Electron can run, else web mode with a printed URL.
// `npm run web` (= start.mjs --web) always uses web mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asPerson, ensureInGroup } from './person.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const socket = process.env.BERTH_SOCKET ?? '/run/berth/berthd.sock';
const dataRoot = process.env.BERTH_DATA_ROOT ?? '/var/lib/berth';
const forceWeb = process.argv.includes('--web');

const ping = () =>
  new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 1500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });

async function ensureDaemon() {
  if (await ping()) return;
  if (process.getuid?.() !== 0) {
    console.warn(`berth: no daemon answers on ${socket}, and starting berthd needs root (try: sudo npm start). The app will show the daemon as down.`);
    return;
  }
  mkdirSync(dataRoot, { recursive: true });
  const logFile = join(dataRoot, 'berthd.log');
  const out = openSync(logFile, 'a');
  const child = spawn(join(root, 'helper/bin/berthd'), ['--socket', socket, '--data-root', dataRoot], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  for (let i = 0; i < 100; i++) {
    if (await ping()) {
      console.log(`berth: started berthd (pid ${child.pid}) on ${socket}; log: ${logFile}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.warn(`berth: berthd did not answer on ${socket}; see ${logFile}`);
}

function ensureBuilt() {
  const needed = ['out/main/main.js', 'out/main/web.js', 'out/preload/preload.cjs', 'out/renderer/index.html'];
  if (needed.every((f) => existsSync(join(root, f)))) return;
  console.log('berth: building the app (first start)…');
  const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  const path = join(root, 'node_modules/electron/dist/electron');
  const display = process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
  return existsSync(path) && display ? path : undefined;
}

await ensureDaemon();
ensureBuilt();
const env = { ...process.env, BERTH_SOCKET: socket };
const electron = forceWeb ? undefined : electronBinary();
const [command, args] = electron ? [electron, [root]] : [process.execPath, [join(root, 'out/main/web.js')]];
// berthd runs as root; the app runs as the person who ran `sudo npm start`, never as root, and
// reaches berthd through the socket's group (membership equals root, as with the docker group).
const person = asPerson(env, command, args);
let child;
if (person) {
  if (ensureInGroup(person.person.user, 'berth')) console.log(`berth: added ${person.person.user} to the 'berth' group (it may use berthd's socket; this equals root on this machine).`);
  console.log(`berth: running the app as ${person.person.user} (uid ${person.person.uid})`);
  child = spawn(person.command, person.args, { stdio: 'inherit', env: person.env });
} else if (electron && process.getuid?.() === 0) {
  // Chromium's sandbox does not run as root, and the app must not: serve web mode instead.
  console.warn('berth: not opening the desktop window as root (run `sudo npm start` from your own account); serving web mode instead.');
  child = spawn(process.execPath, [join(root, 'out/main/web.js')], { stdio: 'inherit', env });
} else {
  child = spawn(command, args, { stdio: 'inherit', env });
}
if (!electron && !forceWeb) console.log('berth: no Electron window available here (binary or display missing); serving web mode instead.');
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
