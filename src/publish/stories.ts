/**
 * Stories in listings (INTERFACE §3a): which items of a category's listing stand for a
 * story, what they say about the other members, and the line naming them at the end of
 * a lead's content. Plain functions over items; the listing that feeds them is
 * src/pipeline/story-listing.ts.
 */
import type { Item } from '../domain.js';
import { cleanText, escapeHtml } from '../util/html.js';
import { httpUrlOf } from './text.js';

/** Another member of an item's story, as `story.members` lists it. */
export interface StoryMemberJson {
  infoCode: string | null;
  publisher: string;
  url: string;
  /** ISO 8601 with offset. */
  publishedAt: string;
}

/** The story an item leads: its id and the other members, earliest published first. */
export interface ItemStory {
  id: string;
  members: StoryMemberJson[];
}

/** An item as a listing hands it to the renderers: the stored item and, for a lead, its story. */
export interface ListedItem extends Item {
  /** Present when the item stands for a story of more than one article in this listing. */
  story?: ItemStory;
}

/** A stored story: its id and its members' items, earliest published first (lead first). */
export interface StoryOfItems {
  id: string;
  members: readonly Item[];
}

/**
 * The listing of `category` with each story once. An item in its publisher's own
 * category (its first category is `category`) is kept as it is: that feed shows its
 * own copy. Otherwise the story's member that comes first (earliest published; members
 * are in that order) among those in `category` stands for it, carrying the other
 * members; the rest of its members are left out. `all` holds every member, so there the
 * story's lead stands for it. `stories` maps an item's key to its story; an item with
 * none, or alone in it, is kept as it is. Order is kept.
 */
export function groupStories(category: string | undefined, items: readonly Item[], stories: ReadonlyMap<string, StoryOfItems>): ListedItem[] {
  const out: ListedItem[] = [];
  for (const item of items) {
    const story = stories.get(item.key);
    if (story === undefined || story.members.length < 2 || (category !== undefined && item.categories[0] === category)) {
      out.push(item);
      continue;
    }
    const first = category === undefined ? story.members[0] : story.members.find((m) => m.categories.includes(category));
    if (first !== undefined && first.key !== item.key) continue;
    out.push({ ...item, story: { id: story.id, members: story.members.filter((m) => m.key !== item.key).map(storyMemberJson) } });
  }
  return out;
}

/** A member as `story.members` lists it. */
export function storyMemberJson(item: Item): StoryMemberJson {
  return {
    infoCode: item.infoCode === null ? null : cleanText(item.infoCode),
    publisher: cleanText(item.publisher),
    url: httpUrlOf(cleanText(item.url)) ?? '',
    publishedAt: cleanText(item.publishedAt),
  };
}

/** The other publishers of a story, each once with the link of its first member, the item's own publisher left out. */
export function otherPublishers(item: Pick<ListedItem, 'publisher' | 'story'>): Array<{ publisher: string; url: string }> {
  const own = cleanText(item.publisher).trim();
  const seen = new Set<string>([own]);
  const out: Array<{ publisher: string; url: string }> = [];
  for (const m of item.story?.members ?? []) {
    const name = m.publisher.trim();
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    out.push({ publisher: name, url: m.url });
  }
  return out;
}

/**
 * The line ending a lead's content in RSS, Atom and JSON Feed: `同时由 证券时报、上海证券报 报道`,
 * each publisher linked to its copy. Empty when no other publisher carried the story.
 */
export function storyLineHtml(item: Pick<ListedItem, 'publisher' | 'story'>): string {
  const others = otherPublishers(item);
  if (others.length === 0) return '';
  const names = others.map((o) => (o.url === '' ? escapeHtml(o.publisher) : `<a href="${escapeHtml(o.url)}">${escapeHtml(o.publisher)}</a>`));
  return `<p class="finews-story">同时由 ${names.join('、')} 报道</p>`;
}
