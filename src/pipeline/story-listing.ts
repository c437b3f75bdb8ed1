import { ALL_SLUG, type Config, type Item } from '../domain.js';
import { groupStories, type ListedItem, type StoryOfItems } from '../publish/stories.js';
import type { ItemQuery, Store } from '../store/store.js';

/** What a grouped listing reads: pages of items, single items and the story index. */
export type StoryListingStore = Pick<Store, 'listItems' | 'getItem' | 'stories'>;

/** A page of a listing, each story once (see {@link listStoryItems}). */
export interface StoryItemPage {
  items: ListedItem[];
  /** Cursor of the next (older) page, or null when there is none. */
  next: string | null;
}

/** Members read of one story: the earliest ones, the lead first; a story is rarely a tenth of this. */
export const MAX_STORY_MEMBERS = 50;

/**
 * Store pages read at most to fill one page of stories when many of its items are
 * members of others; each reads only as many items as the page still lacks. A page left
 * short after them still has its `next`.
 */
export const MAX_LISTING_ROUNDS = 6;

/**
 * A page of a category (or `all`) with each story once (INTERFACE §3a): the store's own
 * newest-first page, each item looked up in the story index, members of a story other
 * than the one standing for it left out ({@link groupStories}), and further store pages
 * read (at most {@link MAX_LISTING_ROUNDS} in all, each only as long as the page still
 * is short) until `query.limit` items are found. The cursor is the store's, at the end
 * of the last page read, so a story is never shown twice across pages: it sits where its
 * lead does.
 *
 * Grouping happens here, when a listing is read, rather than being stored with each
 * item: a lead changes whenever an earlier copy arrives or a member is re-fingerprinted,
 * and a stored flag would mean rewriting other members' rows (and every category index
 * holding them) on such a save. Read here, the work is bounded per listed item, whatever
 * the store holds: one `storyOf`, one `members` per story on the page, and one `getItem`
 * per member of a story of more than one article not on the page — no scan of the store.
 * A feed of 10,000 items costs 10,000 index reads and a few more per reprint.
 *
 * With `stories.enabled: false` or `query.stories === false` this is the store's page
 * as it is.
 */
export async function listStoryItems(
  store: StoryListingStore,
  config: Pick<Config, 'stories'>,
  query: ItemQuery & { stories?: boolean },
): Promise<StoryItemPage> {
  const { stories: _stories, ...plain } = query;
  if (!config.stories.enabled || query.stories === false) return store.listItems(plain);
  const category = query.category === undefined || query.category === ALL_SLUG ? undefined : query.category;
  const lookup = new StoryLookup(store);
  const out: ListedItem[] = [];
  let before = query.before ?? null;
  for (let round = 0; round < MAX_LISTING_ROUNDS; round++) {
    const page = await store.listItems({ category, limit: query.limit - out.length, before });
    for (const item of page.items) lookup.know(item);
    out.push(...groupStories(category, page.items, await lookup.storiesOf(page.items)));
    before = page.next;
    if (page.next === null || out.length >= query.limit) break;
  }
  return { items: out, next: before };
}

/** Story lookups of one listing, each story and item read once however many items share it. */
class StoryLookup {
  private readonly items = new Map<string, Promise<Item | null>>();
  private readonly stories = new Map<string, Promise<StoryOfItems | null>>();

  constructor(private readonly store: StoryListingStore) {}

  know(item: Item): void {
    this.items.set(item.key, Promise.resolve(item));
  }

  /** The stories of more than one article that `items` are in, by item key. */
  async storiesOf(items: readonly Item[]): Promise<Map<string, StoryOfItems>> {
    const found = await Promise.all(
      items.map(async (item) => {
        const id = await this.store.stories.storyOf(item.key);
        return [item.key, id === null ? null : await this.story(id)] as const;
      }),
    );
    const out = new Map<string, StoryOfItems>();
    for (const [key, story] of found) if (story !== null) out.set(key, story);
    return out;
  }

  private story(id: string): Promise<StoryOfItems | null> {
    let story = this.stories.get(id);
    if (story === undefined) {
      story = this.readStory(id);
      this.stories.set(id, story);
    }
    return story;
  }

  private async readStory(id: string): Promise<StoryOfItems | null> {
    const refs = await this.store.stories.members(id);
    if (refs.length < 2) return null;
    const members = await Promise.all(refs.slice(0, MAX_STORY_MEMBERS).map((m) => this.item(m.key)));
    // A member whose item is gone (pruned first) is no longer shown anywhere.
    const present = members.filter((m): m is Item => m !== null);
    return present.length < 2 ? null : { id, members: present };
  }

  private item(key: string): Promise<Item | null> {
    let item = this.items.get(key);
    if (item === undefined) {
      item = this.store.getItem(key);
      this.items.set(key, item);
    }
    return item;
  }
}
