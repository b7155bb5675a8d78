/**
 * Shell-form detection for an image's (or container's) CMD and ENTRYPOINT.
 *
 * A Dockerfile's shell form (`CMD redis-server`) is stored as `["/bin/sh", "-c", "redis-server"]`.
 * What matters is which program ends up as PID 1:
 * - an ENTRYPOINT is PID 1 whatever CMD is (CMD only becomes its arguments), so a shell-form CMD
 *   under an exec-form ENTRYPOINT is harmless;
 * - without ENTRYPOINT, CMD is PID 1.
 * A shell as PID 1 installs no SIGTERM handler, and the kernel drops signals to a namespace's
 * init that it does not handle, so `docker stop` waits its whole timeout and then SIGKILLs.
 */

export interface ProcessConfigInput {
  Entrypoint?: readonly string[] | string | null;
  Cmd?: readonly string[] | string | null;
}

export interface ShellFormFinding {
  /** Which field put the shell at PID 1. */
  field: 'ENTRYPOINT' | 'CMD';
  /** The shell binary, e.g. `/bin/sh`. */
  shell: string;
  /** The command string the shell runs (`sleep 1000`). */
  script: string;
  /** The argv as stored, for display. */
  argv: string[];
  /** The exec-form fix when the script is a plain command without shell syntax, else null. */
  execFormSuggestion: string[] | null;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh']);

function asArgv(value: readonly string[] | string | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  // Old clients send a single string: the Engine API treats it as a one-element argv.
  return typeof value === 'string' ? [value] : [...value];
}

function isShell(arg: string | undefined): boolean {
  if (!arg) return false;
  const base = arg.split('/').pop() ?? '';
  return SHELLS.has(base);
}

/** `-c`, or combined flags such as `-ec`/`-xc` that include it. */
function isDashC(arg: string | undefined): boolean {
  return arg !== undefined && /^-[a-z]*c[a-z]*$/.test(arg);
}

/** Characters that need a shell: without them the script is a plain argv and exec form works. */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]{}~#=\n]/;

function suggestExecForm(script: string): string[] | null {
  const trimmed = script.trim();
  if (trimmed === '' || SHELL_SYNTAX.test(trimmed)) return null;
  const words = trimmed.split(/\s+/);
  return words[0] === 'exec' ? words.slice(1) : words;
}

/**
 * `sh -c 'exec foo'`, or a sequence whose last command is an exec (`mkdir -p /x && exec foo`,
 * `setup; exec foo`): the shell replaces itself with foo, so PID 1 is foo once the setup is done.
 * Pipes, `||` and background jobs keep the shell (or leave the exec unreached), so they count as
 * shell form.
 */
function endsInExec(script: string): boolean {
  const unquoted = script.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '');
  if (/[|&]/.test(unquoted.replace(/&&/g, ''))) return false;
  const commands = unquoted.split(/&&|;|\n/).map((c) => c.trim()).filter((c) => c !== '');
  return /^exec\s+\S/.test(commands.at(-1) ?? '');
}

/** Returns what puts a shell at PID 1, or null when PID 1 is the program itself (exec form). */
export function detectShellForm(config: ProcessConfigInput | null | undefined): ShellFormFinding | null {
  if (!config) return null;
  const entrypoint = asArgv(config.Entrypoint);
  const cmd = asArgv(config.Cmd);
  const field = entrypoint.length > 0 ? 'ENTRYPOINT' : 'CMD';
  // With a shell ENTRYPOINT, its `-c` script may be the first CMD element instead.
  const argv = entrypoint.length > 0 ? [...entrypoint, ...cmd] : cmd;
  const pid1 = entrypoint.length > 0 ? entrypoint : cmd;
  if (!isShell(pid1[0]) || !isDashC(argv[1])) return null;
  const script = argv[2] ?? '';
  if (endsInExec(script)) return null;
  return { field, shell: pid1[0] as string, script, argv, execFormSuggestion: suggestExecForm(script) };
}

export interface ShellFormWarningView {
  title: string;
  detail: string;
  why: string;
  fix: string;
}

/** The wording of the PID 1 warning shown on images and containers. */
export function toShellFormWarning(finding: ShellFormFinding): ShellFormWarningView {
  const exec = finding.execFormSuggestion ? `${finding.field} ${JSON.stringify(finding.execFormSuggestion)}` : `${finding.field} ["program", "arg", …]`;
  return {
    title: `Shell-form ${finding.field}: ${finding.shell} runs as PID 1`,
    detail: `${finding.field} is ${JSON.stringify(finding.argv)}, so the container's PID 1 is ${finding.shell}, not "${finding.script}".`,
    why: `docker stop sends SIGTERM to PID 1. ${finding.shell} as PID 1 installs no SIGTERM handler and does not forward the signal to its child, and the kernel drops unhandled signals sent to a namespace's init. So stop waits the whole timeout (10 s by default) and then SIGKILLs.`,
    fix: `Run it with --init: a tiny init becomes PID 1, forwards SIGTERM to the program and reaps zombies, so stop returns at once. The exec form (${exec}) makes the program itself PID 1, which helps only if the program installs its own SIGTERM handler (most servers do; sleep and many scripts do not): the kernel gives PID 1 no default signal actions.`,
  };
}

/**
 * The note on exec form itself: PID 1 of a pid namespace gets no default signal actions, so
 * being PID 1 only helps a program that handles SIGTERM (`sleep 1000` in exec form still waits
 * the whole timeout and exits 137). `--init` is the fix for the others.
 */
export const EXEC_FORM_PID1_NOTE =
  'Exec form makes the program PID 1. PID 1 gets no default signal actions, so it stops on SIGTERM only if it handles SIGTERM itself (nginx, redis, most servers). Programs that do not (sleep, most scripts) wait the whole stop timeout and are killed: use --init for them.';
