import type { Item, SourceItem } from '../domain.js';
import type { RenderedDoc } from '../publish/rendered.js';

/** Publishing owns the shape of rendered documents; the store keeps them. */
export type { RenderedDoc };
import type { StoryIndex } from './stories.js';

/** Result of claiming an item key. */
export interface ClaimResult {
  /** True for the one caller that saw this key first (across all sources, processes and restarts). */
  isNew: boolean;
  /**
   * Category slugs whose content changed because an already-stored item gained a
   * source's categories (always includes 'all' when non-empty). Empty when isNew.
   */
  changedCategories: string[];
  /**
   * True when the key was claimed before but no item was ever saved for it: its
   * article work was lost (a process died, a queue write failed) and should be queued
   * again. False for new claims and for items saved, even if since pruned.
   */
  pending: boolean;
  /**
   * Present when the key's item is stored and this source sent it before with another
   * hash (see {@link ClaimEntry.hash}): the article changed at its source. The claim
   * then keeps the entry's work, marked `changed`, as for a pending claim, until an item
   * is saved.
   */
  changed?: true;
}

/**
 * The article work a claim keeps while no item is saved for its key, so that work lost
 * with a process, a queue or a job that failed for good can be queued again without the
 * source's help (its feed may answer 304 from then on). The article job, less its key.
 */
export interface PendingWork {
  /** True when the work updates a stored article that changed at its source. */
  changed?: boolean;
  infoCode: string | null;
  sourceId: string;
  categories: string[];
  feedTitle?: string;
  item: SourceItem;
}

/** A claim whose item was never saved, with the work recorded for it. */
export interface PendingClaim {
  key: string;
  work: PendingWork;
}

/** Per-source bookkeeping shown by `finews status` and `/api/sources`. */
export interface SourceState {
  id: string;
  /** Validators for conditional GET. */
  etag?: string;
  lastModified?: string;
  /** Hash of the first list page last read (and of the config that read it): the same bytes again are not read. */
  bodyHash?: string;
  /** ISO 8601. */
  lastFetchAt?: string;
  /** HTTP status of the last fetch (304 counts as success). */
  lastStatus?: number;
  /** Message of the last failure; cleared on success. */
  lastError?: string;
  consecutiveFailures: number;
  /** ISO 8601. */
  nextRunAt?: string;
  /** Distinct items this source has carried (maintained by the store on claim). */
  items: number;
  /** Records or items of the last poll that were skipped or repaired (0 after a failed poll). */
  warningCount?: number;
  /** The first few of those warnings, each with its reason (`record 3: no title; skipped`). */
  warnings?: string[];
}

export interface ItemQuery {
  /** Category slug; undefined or 'all' for every item. */
  category?: string;
  limit: number;
  /** Opaque cursor from a previous page's `next`. */
  before?: string | null;
}

export interface ItemPage {
  /** Newest first by (publishedAt, key). */
  items: Item[];
  /** Cursor for the next (older) page, or null when there is none. */
  next: string | null;
}

export interface CategoryInfo {
  slug: string;
  count: number;
  /** ISO 8601 of the newest item's publishedAt, or null. */
  updated: string | null;
  /**
   * The publisher whose category this is: the newest item's publisher when that item's
   * own (first) category is this one. Absent for categories that are not a publisher's.
   */
  publisher?: string;
}

export interface PruneResult {
  removed: number;
  changedCategories: string[];
}

/** One entry of a batched claim: the arguments of {@link ItemStore.claim}. */
export interface ClaimEntry {
  key: string;
  sourceId: string;
  categories: string[];
  work?: PendingWork;
  /**
   * A hash of the item as this source sends it (title and summary). The claim keeps the
   * last one per source; a stored key that comes back from the same source with another
   * hash answers `changed`. The first hash a source sends for a key is only recorded.
   */
  hash?: string;
}

/** Reachability and lifetime of a store connection. */
export interface StoreConnection {
  /** Resolves when the backing store answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Items and the claims that deduplicate them across sources, processes and restarts. */
export interface ItemStore {
  /**
   * Atomically claim `key` for `sourceId`. Exactly one of any number of concurrent
   * callers gets isNew=true. Either way the source and its categories are recorded
   * on the claim, so they are merged into the item when it is (or already was) saved.
   * When no item is saved for the key (isNew or pending), `work` is kept on the claim,
   * as handed out now, until an item is saved (see takePendingClaims).
   */
  claim(key: string, sourceId: string, categories: string[], work?: PendingWork): Promise<ClaimResult>;

  /**
   * Claims every entry as {@link claim} would, in order, answering one result per
   * entry (a key repeated in the batch is new at most once). One transaction or round
   * trip for the batch, however long, so a feed's keys cost O(1) store round trips.
   */
  claimMany(entries: readonly ClaimEntry[]): Promise<ClaimResult[]>;

  /**
   * Up to `limit` claims that have work recorded, no item saved since it was, and whose work was
   * last handed out (claimed or taken) before `olderThan`, oldest first. Each is marked
   * handed out at `now`, so the next call moves on to others and a concurrent caller
   * (another process) gets different ones. Reads an index of such claims only.
   */
  takePendingClaims(olderThan: Date, limit: number, now: Date): Promise<PendingClaim[]>;

  /**
   * Upsert an item. Its categories and sources are merged with those recorded by
   * claims and with any stored copy (union, first-seen order kept); the stored
   * publishedAt/storedAt of an existing item are kept. Returns the category slugs
   * whose content changed, including 'all'.
   */
  saveItem(item: Item): Promise<string[]>;

  /**
   * Saves every item as {@link saveItem} would, in order (a key repeated in the batch is
   * merged into what the earlier entry saved), and returns the union of the category
   * slugs whose content changed, including 'all' (nothing for an empty batch). One
   * transaction for the batch in SQLite; in Redis one round trip reading the batch and
   * one writing it, an item whose hashes changed in between being read and written
   * again alone. An item whose publishedAt or storedAt is not a date fails the whole
   * batch before anything is written.
   */
  saveItems(items: readonly Item[]): Promise<string[]>;

  getItem(key: string): Promise<Item | null>;

  /**
   * Remove items whose publishedAt and storedAt are both before `itemsBefore`, and
   * forget claims older than `claimsBefore` (claims outlive items so a pruned item
   * is not ingested again).
   */
  prune(itemsBefore: Date, claimsBefore: Date): Promise<PruneResult>;
}

/** Reading stored items back: pages of a category and the categories themselves. */
export interface ItemListing {
  /** Newest first with a stable cursor: never skips or repeats an item while others arrive. */
  listItems(query: ItemQuery): Promise<ItemPage>;

  /** Every category that holds at least one item (not 'all'). */
  listCategories(): Promise<CategoryInfo[]>;
}

/** Per-source bookkeeping. */
export interface SourceStateStore {
  getSourceState(id: string): Promise<SourceState | null>;
  /** Writes the state; `items` is maintained by the store and ignored here. */
  putSourceState(state: SourceState): Promise<void>;
  listSourceStates(): Promise<SourceState[]>;
}

/** Rendered documents kept ready to serve. */
export interface RenderedStore {
  putRendered(name: string, doc: RenderedDoc): Promise<void>;
  getRendered(name: string): Promise<RenderedDoc | null>;
  /** Forgets a rendered document (a category that no longer holds items); no-op when absent. */
  deleteRendered(name: string): Promise<void>;
  /**
   * The ETag of every rendered document, by name, read from an index without any body:
   * what publishing compares a new render with, and what serving processes poll to learn
   * which documents changed.
   */
  renderedEtags(): Promise<Map<string, string>>;
}

/** Short named leases shared by every process on one store. */
export interface LeaseStore {
  /**
   * Takes the named lease for `ttlMs` when nobody holds it, the holder's lease lapsed,
   * or `owner` already holds it (a retried job taking its own lease back). Shared by
   * every process on this store. Returns the token (the owner, or a random one), or
   * null when someone else holds it.
   */
  acquireLease(name: string, ttlMs: number, owner?: string): Promise<string | null>;
  /** Gives a lease back; a no-op when it lapsed and another caller took it since. */
  releaseLease(name: string, token: string): Promise<void>;
}

/** Story fingerprints by LSH band and story membership; pruned with items. */
export interface StoryStore {
  readonly stories: StoryIndex;
}

/**
 * The store port: every concern at once. Two adapters (Redis, SQLite) implement it and
 * pass one shared contract suite (tests/store/contract.ts, one block per concern).
 * Callers that need one concern may take that interface alone.
 */
export type Store = StoreConnection & ItemStore & ItemListing & SourceStateStore & RenderedStore & LeaseStore & StoryStore;
