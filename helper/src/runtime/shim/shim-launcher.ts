import { spawn } from 'node:child_process';
import { unavailable } from '../../lib/errors';

export interface LaunchResult {
  monitorPid: number;
  pid: number;
}

/** Launch outcome when the shim reports a setup failure (message in runc's words). */
export class ShimSetupError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'ShimSetupError';
  }
}

/**
 * Starts a berth-shim monitor for a state dir with a serialized plan (handed over on its stdin)
 * and resolves once it reports "ready" (process set up, held before execve) — or rejects with
 * ShimSetupError. Behind an interface so the runtime's bookkeeping can be tested without the kernel.
 */
export interface ShimLauncher {
  launch(mode: 'run' | 'exec', stateDir: string, plan: string): Promise<LaunchResult>;
}

export class SpawnShimLauncher implements ShimLauncher {
  constructor(
    private readonly shimBinary: string,
    private readonly timeoutMs = 60_000,
  ) {}

  launch(mode: 'run' | 'exec', stateDir: string, plan: string): Promise<LaunchResult> {
    return new Promise((resolve, reject) => {
      // detached: own session and process group, so berthd's signals and death never reach it.
      const child = spawn(this.shimBinary, [mode, stateDir], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      // A shim that dies before reading it surfaces through stdout's end, not as a stdin EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(plan);
      let out = '';
      let err = '';
      let settled = false;
      const timer = setTimeout(() => settle(unavailable('SHIM_TIMEOUT', `berth-shim did not report readiness in ${this.timeoutMs} ms`)), this.timeoutMs);
      const settle = (v: LaunchResult | Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.stdin.destroy();
        child.stdout.destroy();
        child.stderr.destroy();
        child.unref();
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      child.on('error', (e) => settle(unavailable('SHIM_SPAWN_FAILED', `cannot run ${this.shimBinary}: ${e.message}`, e)));
      child.stderr.on('data', (d: Buffer) => {
        if (err.length < 4096) err += d.toString();
      });
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        const line = out.slice(0, nl);
        const ready = /^ready (\d+) (\d+)$/.exec(line);
        if (ready) settle({ monitorPid: Number(ready[1]), pid: Number(ready[2]) });
        else if (line.startsWith('error ')) settle(new ShimSetupError(line.slice('error '.length)));
        else settle(new ShimSetupError(`unexpected shim output: ${line}`));
      });
      child.stdout.on('end', () => settle(new ShimSetupError(`berth-shim exited without reporting${err ? `: ${err.trim()}` : ''}`)));
    });
  }
}
