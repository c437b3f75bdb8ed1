import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Pretty output (pino-pretty); defaults to stdout being a TTY. */
  pretty?: boolean;
}

/**
 * Builds the process logger: JSON lines on stderr (stdout is kept for command output
 * such as `once`'s summary and `status`), pretty when stderr is a TTY, secrets redacted.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? process.stderr.isTTY === true;
  const options = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: {
      paths: ['*.authorization', '*.password', 'redisUrl', '*.redisUrl', 'adminToken', '*.adminToken', 'headers.authorization'],
      censor: '[redacted]',
    },
  };
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard', destination: 2 } } });
  return pino(options, pino.destination(2));
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
