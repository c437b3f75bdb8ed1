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

/**
 * Merges an incoming item with the stored copy and the claim record: categories and
 * sources are unions in first-seen order (stored copy, then the incoming item, then
 * the claims — so a new item keeps its publisher's category first); the stored
 * copy's publishedAt and storedAt win; everything else comes from the incoming item.
 */
export function mergeItem(incoming: Item, existing: Item | null, claim: ClaimRecord | null): Item {
  return {
    ...incoming,
    categories: ownCategories([...(existing?.categories ?? []), ...incoming.categories, ...(claim?.categories ?? [])]),
    sources: unionInOrder(existing?.sources ?? [], incoming.sources, claim?.sources ?? []),
    publishedAt: existing?.publishedAt ?? incoming.publishedAt,
    storedAt: existing?.storedAt ?? incoming.storedAt,
  };
}

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
