/**
 * Keystroke-to-echo latency in a container terminal, through the app's main-process services
 * (TerminalService -> engine-client -> connection), locally over the unix socket and remotely over
 * SSH (a loopback sshd with stream-local forwarding to the same engine socket). Measured in Node,
 * not in the browser: it is the part of the path the app owns, without the WebSocket and xterm.js.
 *
 * A detached busybox `sleep` container gets an exec'd `/bin/sh` with a TTY; one character is sent
 * at a time and the time until the shell's echo of it comes back is taken. Median of 60 keystrokes
 * after 10 warm-up ones.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TerminalEvent } from '../../src-shared/ipc/models/terminal';
import { createAppServices, type AppServices } from '../../src-main/services/app-services';
import { busyboxImage } from '../../test/harness/fixtures';
import { startSshd } from '../../test/harness/sshd';
import { dockerOk, median, pullFixture, type BenchContext, type Engine, type MeasuredBenchmark } from '../framework';

const WARMUP = 10;
const KEYS = 60;

async function waitConnected(services: AppServices, hostId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = services.hosts.statuses().find((x) => x.hostId === hostId);
    if (s?.state === 'connected') return;
    if (s?.state === 'failed' || Date.now() > deadline) throw new Error(`host ${hostId} did not connect: ${JSON.stringify(s?.lastError)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The output without CSI sequences (cursor moves, erase, the `ESC[6n` query), as a screen shows it. */
function visible(out: string): string {
  // eslint-disable-next-line no-control-regex -- ESC is exactly what is matched
  return out.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

/**
 * Where the cursor is, as a terminal would report it for `ESC[6n`: `ESC[<row>;<col>R`, 1-based.
 * Good enough for a shell's prompt line: the row is the line count (capped at the screen height),
 * the column is what follows the last CR/LF.
 */
function cursorReport(out: string, rows: number): string {
  const text = visible(out);
  const row = Math.min(rows, text.split('\n').length);
  const col = text.length - Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return `\u001b[${row};${col}R`;
}

async function measureKeystrokes(services: AppServices, hostId: string, containerId: string, log: (m: string) => void): Promise<number> {
  let out = '';
  let onData: (() => void) | null = null;
  const abort = new AbortController();
  // busybox ash asks the terminal for the cursor position (ESC[6n) after its prompt; xterm.js
  // answers it in the app, so answer like a terminal does, with where the cursor really is.
  const rows = 40;
  let answer: ((data: string) => void) | null = null;
  let unanswered = false;
  const term = await services.terminals.open(
    { hostId, containerId, cols: 120, rows, mode: 'exec' },
    {
      emit: (e: TerminalEvent) => {
        if (e.t === 'data') {
          const queryAt = e.data.indexOf('\u001b[6n');
          if (queryAt >= 0) {
            const upToQuery = out + e.data.slice(0, queryAt);
            if (answer) answer(cursorReport(upToQuery, rows));
            else unanswered = true;
          }
          out += e.data;
          onData?.();
        }
      },
      end: () => {},
      signal: abort.signal,
    },
  );
  answer = (data) => term.input({ t: 'data', data });
  if (unanswered) answer(cursorReport(out.slice(0, out.lastIndexOf('\u001b[6n')), rows));
  try {
    const waitFor = (pred: () => boolean): Promise<void> =>
      new Promise((resolve, reject) => {
        if (pred()) return resolve();
        const timer = setTimeout(() => reject(new Error(`no echo; output so far: ${JSON.stringify(out.slice(-200))}`)), 5000);
        onData = () => {
          if (pred()) {
            clearTimeout(timer);
            onData = null;
            resolve();
          }
        };
      });
    // The prompt may be followed by control sequences: the cursor query, and on a resize that
    // lands after the first prompt (dockerd sizes an exec's pty after starting it) ash's redraw
    // `\r/ # ESC[J`. Judge the prompt by what a screen would show.
    await waitFor(() => /[#$] $/.test(visible(out)));
    // Let ash finish reading the cursor-position answer (a key in the same read is swallowed) and
    // any redraw settle.
    await new Promise((r) => setTimeout(r, 300));
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + KEYS; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      const before = out.length;
      const t0 = process.hrtime.bigint();
      term.input({ t: 'data', data: ch });
      await waitFor(() => out.length > before && out.slice(before).includes(ch));
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= WARMUP) samples.push(ms);
      if (i % 20 === 19) term.input({ t: 'data', data: '\u0015' }); // Ctrl-U: keep the line short
    }
    const m = median(samples);
    log(`keystroke echo on ${hostId}: median ${m.toFixed(3)} ms, max ${Math.max(...samples).toFixed(3)} ms`);
    return m;
  } finally {
    abort.abort();
  }
}

async function withContainer(engine: Engine, ctx: BenchContext, fn: (id: string, socket: string) => Promise<number>): Promise<number> {
  const image = await pullFixture(engine, ctx, 'bench/busybox', await busyboxImage(), 'busybox:latest');
  const run = await dockerOk(engine, ['run', '-d', '--network', 'none', image, 'sleep', '600']);
  const id = run.stdout.trim();
  try {
    return await fn(id, engine.dockerHost.replace(/^unix:\/\//, ''));
  } finally {
    await engine.docker(['rm', '-f', id]).catch(() => undefined);
  }
}

export const keystrokeLocalBenchmark: MeasuredBenchmark = {
  name: 'terminal keystroke-to-echo (local)',
  description: 'app TerminalService exec /bin/sh over the unix socket: one key -> its echo, median of 60',
  unit: 'ms',
  measure: (engine, ctx) =>
    withContainer(engine, ctx, async (id, socket) => {
      const stateDir = await mkdtemp(join(ctx.tmpDir, 'app-state-'));
      const services = createAppServices({ mode: 'web', version: 'bench', stateDir, localSocket: socket, userKnownHosts: [] });
      try {
        await services.start();
        await waitConnected(services, 'local');
        return await measureKeystrokes(services, 'local', id, ctx.log);
      } finally {
        services.close();
        await rm(stateDir, { recursive: true, force: true });
      }
    }),
};

export const keystrokeSshBenchmark: MeasuredBenchmark = {
  name: 'terminal keystroke-to-echo (SSH)',
  description: 'same, through one ssh2 session to a loopback sshd, direct-streamlocal to the engine socket',
  unit: 'ms',
  measure: (engine, ctx) =>
    withContainer(engine, ctx, async (id, socket) => {
      const sshd = await startSshd();
      const stateDir = await mkdtemp(join(ctx.tmpDir, 'app-state-'));
      const services = createAppServices({ mode: 'web', version: 'bench', stateDir, localSocket: '/nonexistent.sock', userKnownHosts: [sshd.knownHostsPath] });
      try {
        await services.start();
        const host = await services.hosts.add({ name: 'bench', host: '127.0.0.1', port: sshd.port, user: 'root', keyPath: sshd.clientKeyPath, remoteSocket: socket });
        await services.hosts.connect(host.id);
        await waitConnected(services, host.id);
        return await measureKeystrokes(services, host.id, id, ctx.log);
      } finally {
        services.close();
        await sshd.stop();
        await rm(stateDir, { recursive: true, force: true });
      }
    }),
};
