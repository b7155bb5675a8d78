import { parseArgs } from 'node:util';
import * as z from 'zod';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const optionsSchema = z.object({
  socket: z.string().min(1).default('/run/berth/berthd.sock'),
  dataRoot: z.string().min(1).default('/var/lib/berth'),
  configFile: z.string().min(1).default('/etc/berth/daemon.json'),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** Group given read/write access to the socket (mode 0660) when it exists on the host. */
  group: z.string().min(1).default('berth'),
  /** dockerd's `-b/--bridge` ("none": no default bridge); wins over daemon.json's "bridge". */
  bridge: z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'must be "none" or an interface name of at most 15 characters').optional(),
});

/** berthd's start-up options: defaults, then environment, then flags (flags win). */
export type DaemonOptions = z.infer<typeof optionsSchema>;

export const USAGE = `Usage: berthd [options]

  --socket PATH       unix socket to serve the Engine API on (default /run/berth/berthd.sock)
  --data-root DIR     where images, layers and containers live (default /var/lib/berth)
  --config FILE       daemon.json-compatible config (default /etc/berth/daemon.json)
  --log-level LEVEL   trace|debug|info|warn|error|fatal|silent (default info)
  --group NAME        group given the socket (root:NAME 0660; default berth); without it, root-only 0600
  -b, --bridge NAME   default bridge device, or "none" for no default bridge (as dockerd's --bridge)
  -h, --help          show this help`;

export class UsageError extends Error {}

/** Parses argv and env once at start-up; nothing else in berthd reads process.env. */
export function parseDaemonOptions(argv: string[], env: NodeJS.ProcessEnv): DaemonOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        socket: { type: 'string' },
        'data-root': { type: 'string' },
        config: { type: 'string' },
        'log-level': { type: 'string' },
        group: { type: 'string' },
        bridge: { type: 'string', short: 'b' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) return 'help';
  const result = optionsSchema.safeParse({
    socket: parsed.values.socket ?? env.BERTH_SOCKET,
    dataRoot: parsed.values['data-root'] ?? env.BERTH_DATA_ROOT,
    configFile: parsed.values.config ?? env.BERTH_CONFIG,
    logLevel: parsed.values['log-level'] ?? env.BERTH_LOG_LEVEL,
    group: parsed.values.group ?? env.BERTH_GROUP,
    bridge: parsed.values.bridge,
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`invalid option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
