import { ALL_SLUG, type Item, type StoriesConfig } from '../domain.js';
import { chooseStory, storyEntry, storySpan, type StoryRules } from '../stories/index.js';
import type { Store } from '../store/store.js';

/** What placing an article in its story touches: the story index, and items to learn which feeds change. */
export type StoryAssignStore = Pick<Store, 'stories' | 'getItem'>;

/** The story rules feeds.yaml sets. */
export function storyRules(config: StoriesConfig): StoryRules {
  return { maxDistance: config.maxDistance, windowMs: config.windowMs };
}

/**
 * Fingerprints `item` (title and body) and records it in its story: the story of the
 * nearest stored article within the rules, else a story of its own. A re-saved article
 * is fingerprinted again and its earlier record replaced, so it may join or leave a
 * story. Returns the categories whose feeds change besides the item's own: those of the
 * other members of the story it left and the story it joined, since a lead lists its
 * members (publisher categories never group, so they are left out). Nothing when
 * stories are disabled.
 */
export async function assignStory(store: StoryAssignStore, config: StoriesConfig, item: Item): Promise<string[]> {
  if (!config.enabled) return [];
  const rules = storyRules(config);
  const publishedMs = publishedMsOf(item);
  const entry = storyEntry(item.key, item.title, item.contentHtml || item.summary, publishedMs);
  const before = await store.stories.storyOf(item.key);
  const storyId = await store.stories.assign(entry, storySpan(publishedMs, rules), (candidates) => chooseStory(entry, candidates, rules).storyId);
  const touched = before === null || before === storyId ? [storyId] : [before, storyId];
  const others = new Set<string>();
  for (const members of await Promise.all(touched.map((id) => store.stories.members(id)))) {
    for (const m of members) if (m.key !== item.key) others.add(m.key);
  }
  if (others.size === 0) return [];
  const changed = new Set<string>([ALL_SLUG]);
  // Read at once, not one round trip after another: a story can have dozens of members.
  for (const member of await Promise.all([...others].map((key) => store.getItem(key)))) {
    // The first category is the publisher's own, which shows every copy and never groups.
    for (const slug of member?.categories.slice(1) ?? []) changed.add(slug);
  }
  return [...changed];
}

/**
 * {@link assignStory} for a batch of articles saved together, in order (a later one may
 * join an earlier one's story). Returns the union of the categories that change besides
 * the items' own.
 */
export async function assignStories(store: StoryAssignStore, config: StoriesConfig, items: readonly Item[]): Promise<string[]> {
  const changed = new Set<string>();
  for (const item of items) for (const slug of await assignStory(store, config, item)) changed.add(slug);
  return [...changed];
}

/** Epoch ms of the item's publication (its storage time when the date is unreadable). */
export function publishedMsOf(item: Pick<Item, 'publishedAt' | 'storedAt'>): number {
  const published = Date.parse(item.publishedAt);
  if (Number.isFinite(published)) return published;
  const stored = Date.parse(item.storedAt);
  return Number.isFinite(stored) ? stored : 0;
}
