import type { Pid1WarningView } from '../../src-shared/ipc/models/containers';

const SHELLS = new Set(['/bin/sh', 'sh', '/bin/bash', 'bash', '/bin/ash', 'ash', '/bin/dash', 'dash', '/usr/bin/sh', '/usr/bin/bash']);

/** `["/bin/sh","-c",…]`: how Dockerfile shell form (`CMD redis-server`) is stored. */
export function isShellForm(argv: readonly string[] | null | undefined): boolean {
  return !!argv && argv.length >= 2 && SHELLS.has(argv[0] ?? '') && argv[1] === '-c';
}

function quote(argv: readonly string[]): string {
  return argv.map((a, i) => (i >= 2 || /\s/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

/**
 * Whether PID 1 will be a shell that ignores SIGTERM. The effective argv is Entrypoint ++ Cmd, so
 * a non-empty Entrypoint decides; otherwise Cmd. `init` (`--init`) puts tini in front, which
 * forwards signals, so there is nothing to warn about.
 */
export function pid1Warning(entrypoint: readonly string[] | null | undefined, cmd: readonly string[] | null | undefined, init = false): Pid1WarningView | null {
  if (init) return null;
  const field = entrypoint && entrypoint.length > 0 ? 'Entrypoint' : 'Cmd';
  const argv = field === 'Entrypoint' ? entrypoint : cmd;
  if (!argv || !isShellForm(argv)) return null;
  return {
    field,
    command: quote(argv),
    reason:
      `${field} is in shell form, so ${argv[0]} runs as PID 1. A shell as PID 1 has no SIGTERM handler and does not forward ` +
      'signals, so `stop` waits the whole timeout (10 s by default) and then SIGKILLs the container.',
    fix:
      `Run it with --init, which forwards SIGTERM to the program and reaps zombies. The exec form (${field} ["program", "arg"]) makes the program PID 1, ` +
      'which helps only a program that handles SIGTERM itself (sleep and most scripts do not: PID 1 gets no default signal actions).',
  };
}
