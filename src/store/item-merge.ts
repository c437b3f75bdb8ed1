import { ALL_SLUG, type Item } from '../domain.js';
import { FinewsError, isFinewsError } from '../errors.js';
import { epochOf } from '../util/time.js';

/** Union of lists, each value once, in the order first seen. */
export function unionInOrder(...lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const value of list) seen.add(value);
  return [...seen];
}

/** An item's own category slugs without the reserved 'all' and without repeats. */
export function ownCategories(categories: readonly string[]): string[] {
  return unionInOrder(categories).filter((c) => c !== ALL_SLUG);
}

/** The changed-categories answer for an item: its categories plus 'all'. */
export function withAll(categories: readonly string[]): string[] {
  return [...ownCategories(categories), ALL_SLUG];
}

/** Epoch ms of an item timestamp; throws a non-retryable FinewsError when it is not ISO 8601. */
export function itemMillis(item: Item, field: 'publishedAt' | 'storedAt'): number {
  const ms = epochOf(item[field]);
  if (!Number.isFinite(ms)) {
    throw new FinewsError('invalid-date', `store: item ${item.key} has an invalid ${field} ${JSON.stringify(item[field])}`);
  }
  return ms;
}

/** What a claim has recorded for a key. */
export interface ClaimRecord {
  sources: string[];
  categories: string[];
}

/** The parts of a stored item that merging reads. */
export type StoredItemFacts = Pick<Item, 'categories' | 'sources' | 'publishedAt' | 'storedAt' | 'updatedAt'>;

/**
 * Merges an incoming item with the stored copy and the claim record: categories and
 * sources are unions in first-seen order (stored copy, then the incoming item, then
 * the claims — so a new item keeps its publisher's category first); the stored
 * copy's publishedAt and storedAt win, and its updatedAt unless the incoming item has
 * one; everything else comes from the incoming item.
 */
export function mergeItem(incoming: Item, existing: StoredItemFacts | null, claim: ClaimRecord | null): Item {
  const updatedAt = incoming.updatedAt ?? existing?.updatedAt;
  return {
    ...incoming,
    categories: ownCategories([...(existing?.categories ?? []), ...incoming.categories, ...(claim?.categories ?? [])]),
    sources: unionInOrder(existing?.sources ?? [], incoming.sources, claim?.sources ?? []),
    publishedAt: existing?.publishedAt ?? incoming.publishedAt,
    storedAt: existing?.storedAt ?? incoming.storedAt,
    ...(updatedAt !== undefined ? { updatedAt } : {}),
  };
}

/** Per source, the hash of the item as that source last sent it. */
export type SourceHashes = Record<string, string>;

/**
 * The change rule of a claim's item hash: the first hash a source sends for a key is
 * recorded; another hash from the same source replaces it and, when an item is stored,
 * means the article changed at its source. Per source, so two feeds that word one
 * article differently never look like a change to each other.
 * `hashes` is null when nothing is to be written.
 */
export function mergeHash(recorded: SourceHashes | null, sourceId: string, hash: string | undefined, stored: boolean): { hashes: SourceHashes | null; changed: boolean } {
  if (hash === undefined) return { hashes: null, changed: false };
  const before = recorded?.[sourceId];
  if (before === hash) return { hashes: null, changed: false };
  return { hashes: { ...recorded, [sourceId]: hash }, changed: stored && before !== undefined };
}

/** What one claim does to a key's claim record and stored item, worked out before writing. */
export interface ClaimMerge {
  /** The claim record after this claim. */
  claim: ClaimRecord;
  /** Sources carrying the key for the first time (each source's item count grows by one). */
  addedSources: string[];
  /** True when the claim record's lists changed. */
  claimChanged: boolean;
  /**
   * The stored item's lists after this claim when it gained categories or sources;
   * null when no item is stored or it gained nothing.
   */
  item: { categories: string[]; sources: string[]; addedCategories: string[] } | null;
}

/**
 * The merge rule of a claim: the source and its categories join the claim record, and
 * everything the claim record holds joins a stored item (unions, first-seen order).
 */
export function mergeClaim(
  recorded: ClaimRecord | null,
  stored: Pick<Item, 'categories' | 'sources'> | null,
  sourceId: string,
  categories: readonly string[],
): ClaimMerge {
  const before = recorded ?? { sources: [], categories: [] };
  const claim = {
    sources: unionInOrder(before.sources, [sourceId]),
    categories: unionInOrder(before.categories, ownCategories(categories)),
  };
  const addedSources = claim.sources.slice(before.sources.length);
  const claimChanged = addedSources.length > 0 || claim.categories.length > before.categories.length;
  if (!stored) return { claim, addedSources, claimChanged, item: null };
  const itemCategories = ownCategories([...stored.categories, ...claim.categories]);
  const itemSources = unionInOrder(stored.sources, claim.sources);
  const gained = itemCategories.length > stored.categories.length || itemSources.length > stored.sources.length;
  return {
    claim,
    addedSources,
    claimChanged,
    item: gained
      ? { categories: itemCategories, sources: itemSources, addedCategories: itemCategories.slice(stored.categories.length) }
      : null,
  };
}

/**
 * What saving `merged` does to its key's claim record: the claim learns the item's
 * sources and categories too, so per-source counts see every key once.
 */
export function claimAfterSave(recorded: ClaimRecord | null, merged: Pick<Item, 'categories' | 'sources'>): ClaimMerge['claim'] & { addedSources: string[] } {
  const sources = unionInOrder(recorded?.sources ?? [], merged.sources);
  return {
    sources,
    categories: unionInOrder(recorded?.categories ?? [], merged.categories),
    addedSources: sources.slice(recorded?.sources.length ?? 0),
  };
}

/** True when two string lists hold the same values in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * How long a claim's last-seen time may lag before a claim that changes nothing
 * writes it again. Last-seen only decides when a claim whose item is gone is forgotten
 * (months later), so refreshing it once a day keeps re-polls of stored items write-free.
 */
export const SEEN_REFRESH_MS = 24 * 60 * 60 * 1000;

/**
 * Wraps a backend failure as a FinewsError('store-unavailable'); FinewsErrors pass
 * through unchanged.
 */
export function storeFailure(backend: string, op: string, err: unknown, retryable = true): FinewsError {
  if (isFinewsError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FinewsError('store-unavailable', `${backend}: ${op} failed: ${message}`, { retryable, cause: err });
}

/** A usable page size: at least 1, whole. */
export function pageSize(limit: number): number {
  return Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 1;
}
