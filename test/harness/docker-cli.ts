import { spawn } from 'node:child_process';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time in ms, for reporting only (never asserted as a performance target). */
  ms: number;
}

export interface DockerOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** Runs the real docker CLI against a berthd socket (`dockerHost` is `unix://…`). */
export function docker(dockerHost: string, args: string[], opts: DockerOptions = {}): Promise<DockerResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, {
      env: { ...process.env, DOCKER_HOST: dockerHost, DOCKER_CONFIG: process.env.BERTH_TEST_DOCKER_CONFIG ?? '/tmp/berth-test-docker-config', DOCKER_CLI_HINTS: 'false', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker ${args.join(' ')} timed out after ${opts.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(opts.input);
  });
}
