import { writeSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Pretty output (pino-pretty); defaults to stdout being a TTY. */
  pretty?: boolean;
  /** Where JSON lines go instead of stderr (tests). */
  stream?: DestinationStream;
}

/**
 * Builds the process logger: JSON lines on stderr (stdout is kept for command output
 * such as `once`'s summary and `status`), pretty when stderr is a TTY, secrets redacted.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? process.stderr.isTTY === true;
  const options = {
    level: opts.level ?? 'info',
    // One feed's thousands of warnings or a 1 MB title must not become a multi-megabyte line.
    formatters: { log: (object: Record<string, unknown>) => boundLogObject(object) },
    redact: {
      paths: ['*.authorization', '*.password', 'redisUrl', '*.redisUrl', 'adminToken', '*.adminToken', 'headers.authorization'],
      censor: '[redacted]',
    },
  };
  if (opts.stream) return pino(options, opts.stream);
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard', destination: 2 } } });
  return pino(options, stderrDestination());
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** How long one log line may wait for a full pipe (EAGAIN) before it is dropped. */
const FULL_PIPE_BUDGET_MS = 200;

/**
 * fd 2 as a pino destination that never blocks the process: each line is written at once
 * (so a crash loses nothing), and a write that cannot succeed — EPIPE when nobody reads the
 * pipe any more (`finews start 2>&1 | tee log` after tee is gone), EBADF, any other error —
 * turns logging off instead of being retried forever (pino.destination's SonicBoom retries
 * such a write every 100 ms for ever, and no signal gets through). A pipe that stays full
 * past a short budget drops the line.
 */
export function stderrDestination(fd = 2): DestinationStream {
  let open = true;
  return {
    write(line: string): void {
      if (!open) return;
      let buf = Buffer.from(line, 'utf8');
      const deadline = Date.now() + FULL_PIPE_BUDGET_MS;
      while (buf.length > 0) {
        try {
          buf = buf.subarray(writeSync(fd, buf));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'EAGAIN') open = false;
          else if (Date.now() < deadline) {
            sleepSync(5);
            continue;
          }
          return;
        }
      }
    },
  };
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Keeps the process running when the reader of stdout or stderr is gone: Node reports
 * EPIPE on those streams as an 'error' event, which would otherwise crash it mid-drain.
 */
export function tolerateClosedStdio(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'EBADF') throw err;
    });
  }
}

/** Caps on what one log line carries. */
export const LOG_LIMITS = {
  /** Characters of one string value. */
  string: 1000,
  /** Entries of one array (the rest summarized as one string). */
  array: 20,
  /** Keys of one object. */
  keys: 50,
  /** Nesting depth; deeper values are summarized. */
  depth: 5,
} as const;

/**
 * A copy of a logged object within {@link LOG_LIMITS}: long strings cut with the count of
 * what was left out, long arrays cut to their first entries plus a "… N more" entry, deep
 * values summarized. Errors go through pino's serializer first, so their message and stack
 * are bounded too. Small objects come back unchanged in content.
 */
export function boundLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return bound(object, 0) as Record<string, unknown>;
}

function bound(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length <= LOG_LIMITS.string ? value : `${value.slice(0, LOG_LIMITS.string)}… (${value.length - LOG_LIMITS.string} more chars)`;
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return bound(pino.stdSerializers.err(value), depth);
  if (value instanceof Date) return value;
  if (depth >= LOG_LIMITS.depth) return Array.isArray(value) ? `[array of ${value.length}]` : '[object]';
  if (Array.isArray(value)) {
    const head = value.slice(0, LOG_LIMITS.array).map((v: unknown) => bound(v, depth + 1));
    return value.length <= LOG_LIMITS.array ? head : [...head, `… ${value.length - LOG_LIMITS.array} more`];
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (n++ === LOG_LIMITS.keys) {
      out['…'] = `${Object.keys(value).length - LOG_LIMITS.keys} more keys`;
      break;
    }
    out[k] = bound(v, depth + 1);
  }
  return out;
}
