import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** One JSON root logger per process; modules take `logger.child({ module })`. */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { name: 'berthd' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-registry-auth"]', '*.password', '*.auth', '*.Env'],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
