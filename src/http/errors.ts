import type { FastifyReply } from 'fastify';
import { errorMessage, statusOf, type ErrorCode, type MessageArgs } from '../errors.js';

/** JSON error body of every API and feed error: `{"error":{"code","message"}}`. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Builds the JSON error body. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Sends a JSON error of `code` with the catalogue's status and message (src/errors.ts). */
export function sendError<C extends ErrorCode>(reply: FastifyReply, code: C, ...args: MessageArgs<C>): FastifyReply {
  return reply
    .code(statusOf(code))
    .type('application/json; charset=utf-8')
    .send(errorBody(code, errorMessage(code, ...args)));
}

/** Project codes for fastify's own 4xx errors (FST_ERR_…), by status; the message is kept. */
const CODES_BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad-request',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  413: 'too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  431: 'headers-too-large',
};

/** The stable code of a client error: finews's own as is, fastify's and Node's mapped by status. */
export function clientErrorCode(status: number, code: string | undefined): string {
  if (code !== undefined && /^[a-z][a-z0-9-]*$/.test(code)) return code;
  return CODES_BY_STATUS[status] ?? 'bad-request';
}

/**
 * The raw HTTP response for a request Node could not even parse (bad header bytes, headers
 * over the size limit, a request that timed out): the same JSON body as every other error,
 * then the connection is closed.
 */
export function rawClientErrorResponse(err: NodeJS.ErrnoException): string {
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request did not arrive in time']
        : [400, 'malformed HTTP request'];
  const body = JSON.stringify(errorBody(clientErrorCode(status, undefined), message));
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
