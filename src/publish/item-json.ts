/**
 * The public JSON shape of an item (INTERFACE §3), shared by `/api/items` and the
 * JSON Feed `_finews` extension, with `story` for an item standing for a story (§3a).
 */
import type { Item } from '../domain.js';
import { cleanText } from '../util/html.js';
import { isoOf, itemDate, readDate } from './item-date.js';
import type { ItemStory, ListedItem } from './stories.js';
import { httpUrlOf } from './text.js';

/** The JSON shape of an item (INTERFACE §3): `/api/items` and the JSON Feed `_finews` extension. */
export interface ItemJson {
  /** Canonical infoCode, or null for items keyed by guid or link. */
  infoCode: string | null;
  title: string;
  url: string;
  /** ISO 8601 with offset. */
  publishedAt: string;
  publisher: string;
  author: string | null;
  categories: string[];
  tags: string[];
  summary: string;
  contentHtml: string;
  sources: string[];
  /** ISO 8601: when the article was updated after it changed at its source; absent until then. */
  updatedAt?: string;
  /** The other members of the story the item stands for in its listing; absent for an item alone in its story. */
  story?: ItemStory;
}

/**
 * The JSON shape of `item` (INTERFACE §3), with unrenderable characters dropped. An
 * unreadable publishedAt is replaced by storedAt, else by `fallbackDate` when given.
 */
export function itemJson(item: Item | ListedItem, fallbackDate?: Date): ItemJson {
  return {
    infoCode: item.infoCode === null ? null : cleanText(item.infoCode),
    title: cleanText(item.title),
    // Stored items carry only http(s) URLs; older rows (or other writers) are checked again here.
    url: httpUrlOf(cleanText(item.url)) ?? '',
    publishedAt: itemIsoDate(item, fallbackDate),
    publisher: cleanText(item.publisher),
    author: item.author === undefined ? null : cleanText(item.author),
    categories: item.categories.map(cleanText),
    tags: item.tags.map(cleanText),
    summary: cleanText(item.summary),
    contentHtml: cleanText(item.contentHtml),
    sources: item.sources.map(cleanText),
    ...(readDate(item.updatedAt) !== undefined ? { updatedAt: item.updatedAt as string } : {}),
    ...('story' in item && item.story !== undefined ? { story: item.story } : {}),
  };
}

/** ISO 8601 with offset of the item's date (see {@link itemDate}); the stored text when it is readable. */
function itemIsoDate(item: Item, fallback: Date | undefined): string {
  if (readDate(item.publishedAt) !== undefined) return item.publishedAt;
  const stored = readDate(item.storedAt);
  if (stored !== undefined) return isoOf(stored);
  return fallback === undefined ? cleanText(item.publishedAt) : isoOf(itemDate({ publishedAt: '', storedAt: '' }, fallback));
}
