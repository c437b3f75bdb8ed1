/**
 * The catalogue of finews errors. Every error that crosses a module boundary is a
 * FinewsError with a stable `code`; the catalogue gives each code the HTTP status it is
 * answered with, whether trying again later can help (the default `retryable` of an error
 * of that code), and a summary. Codes answered by the HTTP server carry their message
 * template too, so a route names a code and its arguments, never a status. Workers map
 * non-retryable errors to BullMQ's UnrecoverableError.
 *
 * The codes are public: they appear in HTTP error bodies (docs/http.md), in status rows and
 * in CLI messages. Add codes; never rename one.
 */

/** What the catalogue says about one code. */
export interface ErrorSpec {
  /** HTTP status when the error is the answer to a request. */
  readonly status: number;
  /** Default `retryable` of an error with this code; a thrower that knows better says so. */
  readonly retryable: boolean;
  /** What the code means. */
  readonly summary: string;
  /** Message template, for codes whose message has a fixed form. */
  readonly message?: (...args: never[]) => string;
}

export const ERRORS = {
  // config
  'config-invalid': { status: 500, retryable: false, summary: 'feeds.yaml, an environment variable or a rule in them is invalid' },
  // fetch: the status is what a request would get if one of these reached it
  timeout: { status: 504, retryable: true, summary: 'no complete response in time' },
  'too-large': { status: 413, retryable: false, summary: 'a body over its byte limit' },
  'http-status': { status: 502, retryable: false, summary: 'an HTTP status that is not success (retryable for 408, 425, 429 and 5xx)' },
  dns: { status: 502, retryable: true, summary: 'the host name did not resolve (retryable when the failure is temporary)' },
  refused: { status: 502, retryable: true, summary: 'the connection was refused' },
  'blocked-address': { status: 502, retryable: false, summary: 'a content URL resolved to a private address' },
  'bad-url': { status: 400, retryable: false, summary: 'a URL that cannot be parsed or fetched' },
  'too-many-redirects': { status: 502, retryable: false, summary: 'more redirects than followed' },
  network: { status: 502, retryable: true, summary: 'the connection failed or the body could not be read' },
  // parse
  'not-a-feed': { status: 502, retryable: false, summary: 'a body that is not RSS or Atom' },
  'not-json': { status: 502, retryable: false, summary: 'a body that is not JSON, JSONP or a JS assignment' },
  'items-not-found': { status: 502, retryable: false, summary: 'the configured items path or selector matched nothing' },
  'parse-failed': { status: 502, retryable: false, summary: 'a feed none of whose items can be read' },
  'too-complex': { status: 502, retryable: false, summary: 'an input over its depth or node budget' },
  // store
  'store-unavailable': {
    status: 503,
    retryable: false,
    summary: 'the store (SQLite or Redis) did not answer or refused its file (retryable when the backend may come back)',
    message: () => 'the store is unavailable; retry shortly',
  },
  'invalid-date': { status: 500, retryable: false, summary: 'an item whose publishedAt or storedAt is not ISO 8601' },
  // publish
  'publish-failed': { status: 500, retryable: false, summary: 'publishing has been failing' },
  // http
  'port-in-use': { status: 500, retryable: false, summary: 'the HTTP port is taken' },
  'bad-limit': {
    status: 400,
    retryable: false,
    summary: 'a limit out of range',
    message: (max: number) => `limit must be an integer from 1 to ${max}`,
  },
  'bad-cursor': {
    status: 400,
    retryable: false,
    summary: 'a cursor the store did not make',
    message: () => 'before is not a cursor returned as next by /api/items',
  },
  'unknown-category': {
    status: 404,
    retryable: false,
    summary: 'no such category',
    message: (slug: string) => `no category "${slug}"`,
  },
  'not-rendered': {
    status: 503,
    retryable: true,
    summary: 'a document that is being rendered',
    message: (what: string) => `the ${what} is being rendered; retry shortly`,
  },
  unauthorized: {
    status: 401,
    retryable: false,
    summary: 'an admin path without the admin token',
    message: () => 'admin paths need Authorization: Bearer <ADMIN_TOKEN>',
  },
  internal: {
    status: 500,
    retryable: true,
    summary: 'an unexpected failure (details go to the log only)',
    message: () => 'internal server error',
  },
  // http: requests the framework rejects before a route runs
  'bad-request': { status: 400, retryable: false, summary: 'a malformed request' },
  'not-found': { status: 404, retryable: false, summary: 'no such route, feed file or admin path' },
  'method-not-allowed': { status: 405, retryable: false, summary: 'a method the path does not answer' },
  'not-acceptable': { status: 406, retryable: false, summary: 'no representation the client accepts' },
  'request-timeout': { status: 408, retryable: true, summary: 'the request did not arrive in time' },
  'uri-too-long': { status: 414, retryable: false, summary: 'a URL over the length limit' },
  'unsupported-media-type': { status: 415, retryable: false, summary: 'a request body of a type no route takes' },
  'headers-too-large': { status: 431, retryable: false, summary: 'request headers over the size limit' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** The arguments of a code's message template, or the whole message for codes without one. */
export type MessageArgs<C extends ErrorCode> = (typeof ERRORS)[C] extends { message: (...args: infer A) => string }
  ? A
  : [message: string];

/** The message of an error of `code`: its template applied to `args`, or `args[0]` as given. */
export function errorMessage<C extends ErrorCode>(code: C, ...args: MessageArgs<C>): string {
  const spec: ErrorSpec = ERRORS[code];
  if (spec.message === undefined) return String(args[0]);
  return (spec.message as (...a: readonly unknown[]) => string)(...args);
}

/** The HTTP status an error of `code` is answered with. */
export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

export interface FinewsErrorOptions {
  /** Overrides the catalogue's default for the code. */
  retryable?: boolean;
  cause?: unknown;
  /** URL the error is about, if any. */
  url?: string;
  /** Source id the error is about, if any. */
  sourceId?: string;
}

export class FinewsError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly url?: string;
  readonly sourceId?: string;

  constructor(code: ErrorCode, message: string, opts: FinewsErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FinewsError';
    this.code = code;
    this.retryable = opts.retryable ?? ERRORS[code].retryable;
    if (opts.url !== undefined) this.url = opts.url;
    if (opts.sourceId !== undefined) this.sourceId = opts.sourceId;
  }
}

/** True when `err` is a FinewsError (optionally of one of the given codes). */
export function isFinewsError(err: unknown, ...codes: ErrorCode[]): err is FinewsError {
  return err instanceof FinewsError && (codes.length === 0 || codes.includes(err.code));
}

/**
 * Whether trying again later can help: a FinewsError says so itself; anything else
 * (a bug, a driver's own error) is treated as transient, so a job is retried before it fails.
 */
export function isRetryable(err: unknown): boolean {
  return isFinewsError(err) ? err.retryable : true;
}

/** A short one-line description of any thrown value, for logs and status rows. */
export function describeError(err: unknown): string {
  if (err instanceof FinewsError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
