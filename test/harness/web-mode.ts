import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './berthd';

export interface WebModeHandle {
  url: string;
  origin: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the built web mode (out/main/web.js) against a berthd socket and waits for its URL. */
export async function startWebMode(opts: { socket?: string; stateDir?: string; env?: Record<string, string>; netns?: string } = {}): Promise<WebModeHandle> {
  // In a test's network namespace (netns-sandbox.ts) the app's loopback is the sandbox's, where berthd publishes ports.
  const [cmd, args] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, process.execPath, join(REPO_ROOT, 'out/main/web.js')]] : [process.execPath, [join(REPO_ROOT, 'out/main/web.js')]];
  const child = spawn(cmd, args, {
    env: {
      ...process.env,
      BERTH_WEB_PORT: '0',
      ...(opts.socket ? { BERTH_SOCKET: opts.socket } : {}),
      ...(opts.stateDir ? { BERTH_STATE_DIR: opts.stateDir } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web mode printed no URL:\n${output}`)), 20_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = /open (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web mode exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    origin: new URL(url).origin,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
