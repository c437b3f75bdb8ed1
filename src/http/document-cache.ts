/**
 * The rendered documents a server answers with, held in process memory: feeds, OPML,
 * the HTML pages and `/api/categories`, one entry per name, each ready to send (bytes in
 * every encoding, ETag, Last-Modified). A request reads a map and writes bytes: no store
 * read, no decoding, nothing allocated but the response.
 *
 * The store stays the source of truth. The cache is filled from it at start, and learns
 * of changes two ways:
 * - a publisher in the same process hands it every document it stores (see
 *   `PipelineDeps.documents`), so embedded mode serves a new rendering at once;
 * - every `pollMs` (default {@link DEFAULT_POLL_MS}; `FINEWS_SERVE_POLL_MS` in a finews
 *   process, see runtime/options) it reads the store's ETag index
 *   (`renderedEtags`: names and ETags, no bodies) and loads the documents whose ETag
 *   differs from the one held, and drops those gone. This is how a `serve` process, or
 *   a `start` process whose publish jobs ran on another worker, learns of renderings made
 *   elsewhere, in Redis mode and on a shared SQLite file alike.
 *
 * Polling a version, rather than Redis pub/sub: the index is written in the same
 * transaction as the document, so no notification can be lost (a PUBLISH sent after the
 * write can be, and a subscriber must reload everything after each reconnect to be safe);
 * it works the same on SQLite, which has no pub/sub; and it costs one small read per
 * interval per serving process. Staleness bound: a document stored by another process
 * is served within `pollMs` plus the time to read the changed documents (one read each);
 * until then the previous rendering is served, never one older.
 */
import type { PublishedDocuments } from '../pipeline/ports.js';
import { isApiDocName } from '../publish/doc-names.js';
import type { RenderedDoc } from '../publish/rendered.js';
import type { RenderedStore } from '../store/store.js';
import { silentLogger, type Logger } from '../util/log.js';
import { outageLog } from '../util/outage-log.js';
import { COMPRESS_MIN_BYTES } from './encoding.js';
import { fromRendered, type Representation } from './send.js';

/** How often a serving process looks for documents rendered by other processes, in ms. */
export const DEFAULT_POLL_MS = 500;

export interface DocumentCacheOptions {
  /** @defaultValue {@link DEFAULT_POLL_MS}; 0 turns polling off (a publisher in this process only). */
  pollMs?: number;
  /** Where failed polls are logged (once per outage). @defaultValue a silent logger */
  log?: Logger;
}

interface Entry {
  etag: string;
  rep: Representation;
}

/**
 * How a stored document is sent: feeds and pages with validators and Cache-Control;
 * API documents as computed JSON always was, without them, compressed only past the
 * size threshold (so the bytes and headers are those of a response built on request).
 */
function representationOf(name: string, doc: RenderedDoc): Representation {
  if (isApiDocName(name)) {
    const compress = doc.body.length > COMPRESS_MIN_BYTES;
    return { contentType: doc.contentType, body: doc.body, ...(compress ? { gzip: doc.gzip, br: doc.br } : {}) };
  }
  return fromRendered(doc);
}

/** Rendered documents by name, kept current from the store (see the module comment). */
export class DocumentCache implements PublishedDocuments {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every direct change, so a poll that read the store before it does not undo it. */
  private readonly stamps = new Map<string, number>();
  private stamp = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private readonly pollMs: number;
  private readonly outage: ReturnType<typeof outageLog>;

  constructor(
    private readonly store: Pick<RenderedStore, 'getRendered' | 'renderedEtags'>,
    opts: DocumentCacheOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    this.outage = outageLog(opts.log ?? silentLogger());
  }

  /** The document named `name`, ready to send, if one is held. */
  get(name: string): Representation | undefined {
    return this.entries.get(name)?.rep;
  }

  /** Names held: one per rendered document, however many requests were answered. */
  get size(): number {
    return this.entries.size;
  }

  /** Holds `doc` under `name` (a publisher in this process stored it). */
  set(name: string, doc: RenderedDoc): void {
    this.stamps.set(name, ++this.stamp);
    this.entries.set(name, { etag: doc.etag, rep: representationOf(name, doc) });
  }

  /** Forgets `name` (a publisher in this process deleted it). */
  delete(name: string): void {
    this.stamps.set(name, ++this.stamp);
    this.entries.delete(name);
  }

  /**
   * Loads every stored document, then polls every `pollMs`. Idempotent. A store that does
   * not answer is logged; the cache keeps what it has and the next poll tries again.
   */
  start(): Promise<void> {
    this.started ??= this.refresh().then(() => {
      if (this.pollMs > 0 && this.timer === undefined) {
        this.timer = setInterval(() => void this.refresh(), this.pollMs);
        this.timer.unref();
      }
    });
    return this.started;
  }

  /** Stops polling. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.started = undefined;
  }

  /** One poll now (joins one in flight): loads what changed in the store, drops what is gone. */
  refresh(): Promise<void> {
    this.polling ??= this.poll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async poll(): Promise<void> {
    const since = this.stamp;
    const changedSince = (name: string): boolean => (this.stamps.get(name) ?? 0) > since;
    try {
      const stored = await this.store.renderedEtags();
      for (const [name, etag] of stored) {
        if (this.entries.get(name)?.etag === etag) continue;
        const doc = await this.store.getRendered(name);
        if (changedSince(name)) continue;
        if (doc === null) this.entries.delete(name);
        else this.entries.set(name, { etag: doc.etag, rep: representationOf(name, doc) });
      }
      for (const name of [...this.entries.keys()]) {
        if (!stored.has(name) && !changedSince(name)) this.entries.delete(name);
      }
      this.outage.recovered();
    } catch (err) {
      this.outage.error(err, {}, 'cannot read rendered documents; serving the ones held');
    }
  }
}
