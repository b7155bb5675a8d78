import { spawn as nodeSpawn } from 'node:child_process';

export type SpawnFn = typeof nodeSpawn;

/** A compose client found on the desktop: how to invoke it and what it says it is. */
export interface ComposeClient {
  command: string;
  /** Arguments before the global flags: `['compose']` for the docker CLI plugin. */
  prefix: string[];
  /** Global flags for plain, uncoloured progress lines (what ComposeOutput parses). */
  plain: string[];
  /** e.g. `docker compose 2.24.5`, `docker-compose 1.29.2`. */
  label: string;
}

const CANDIDATES: Omit<ComposeClient, 'label'>[] = [
  // v2 first: it is the maintained one. `--progress` is a v2 global flag.
  { command: 'docker', prefix: ['compose'], plain: ['--ansi', 'never', '--progress', 'plain'] },
  { command: 'docker-compose', prefix: [], plain: ['--ansi', 'never'] },
];

/** Runs `<client> version --short`; the version, or undefined when it is missing or fails. */
function version(spawn: SpawnFn, command: string, prefix: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(command, [...prefix, 'version', '--short'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 && out.trim() !== '' ? out.trim().replace(/^v/, '') : undefined);
    });
  });
}

/** `docker compose` (v2) when `docker compose version` works, else `docker-compose` (v1), else undefined. */
export async function findComposeClient(spawn: SpawnFn): Promise<ComposeClient | undefined> {
  for (const c of CANDIDATES) {
    const v = await version(spawn, c.command, c.prefix);
    if (v !== undefined) return { ...c, label: `${[c.command, ...c.prefix].join(' ')} ${v}` };
  }
  return undefined;
}
