import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RenderedDoc } from '../publish/rendered.js';
import { isNotModified } from './conditional.js';
import { COMPRESS_MIN_BYTES, chooseEncoding, compressBody } from './encoding.js';

/** Cache policy of feeds and pages (INTERFACE §5). */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=60';

/** A response body with its metadata, ready for negotiation. */
export interface Representation {
  contentType: string;
  /** Uncompressed bytes. */
  body: Buffer;
  /** Pre-compressed bytes; when absent they are produced on request if the client asks. */
  gzip?: Buffer;
  br?: Buffer;
  /** Strong or weak entity tag including quotes. */
  etag?: string;
  /** HTTP date. */
  lastModified?: string;
  cacheControl?: string;
}

/** A representation of a pre-rendered document from the store. */
export function fromRendered(doc: RenderedDoc): Representation {
  return {
    contentType: doc.contentType,
    body: doc.body,
    gzip: doc.gzip,
    br: doc.br,
    etag: doc.etag,
    ...(doc.lastModified === '' ? {} : { lastModified: doc.lastModified }),
    cacheControl: PUBLIC_CACHE_CONTROL,
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Sends `rep` with validators, answering `304` when the client's copy is current,
 * and picks the content coding from `Accept-Encoding` (pre-compressed bytes when the
 * representation carries them; small bodies are sent as is). This is the one
 * compression path for feeds, pages and API responses alike.
 */
export function sendRepresentation(req: FastifyRequest, reply: FastifyReply, rep: Representation): FastifyReply {
  const precompressed = rep.gzip !== undefined || rep.br !== undefined;
  const compressible = precompressed || rep.body.length > COMPRESS_MIN_BYTES;
  if (compressible) reply.header('vary', 'Accept-Encoding');
  if (rep.cacheControl !== undefined) reply.header('cache-control', rep.cacheControl);
  if (rep.etag !== undefined) reply.header('etag', rep.etag);
  if (rep.lastModified !== undefined) reply.header('last-modified', rep.lastModified);

  const conditional = {
    ifNoneMatch: header(req, 'if-none-match'),
    ifModifiedSince: header(req, 'if-modified-since'),
  };
  if ((req.method === 'GET' || req.method === 'HEAD') && isNotModified(conditional, rep)) {
    return reply.code(304).send();
  }

  let body = rep.body;
  const coding = compressible ? chooseEncoding(header(req, 'accept-encoding')) : 'identity';
  if (coding !== 'identity') {
    body = rep[coding] ?? compressBody(rep.body, coding);
    reply.header('content-encoding', coding);
  }
  return reply.type(rep.contentType).send(body);
}

/** Sends `value` as JSON (compressed when asked and worth it). */
export function sendJson(req: FastifyRequest, reply: FastifyReply, value: unknown): FastifyReply {
  return sendRepresentation(req, reply, {
    contentType: 'application/json; charset=utf-8',
    body: Buffer.from(JSON.stringify(value), 'utf8'),
  });
}
