import { ALL_SLUG, type Item, type StoriesConfig } from '../domain.js';
import { chooseStory, storyEntry, storySpan, type StoryRules } from '../stories/index.js';
import type { Store } from '../store/store.js';

/** What placing articles in their stories touches: the story index, and items to learn which feeds change. */
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
 * stories are disabled. The same as {@link assignStories} of the one item.
 */
export async function assignStory(store: StoryAssignStore, config: StoriesConfig, item: Item): Promise<string[]> {
  return assignStories(store, config, [item]);
}

/**
 * {@link assignStory} for a batch of articles saved together, as one step of the story
 * index: in order, so a later one may join an earlier one's story. Returns the union of
 * the categories that change besides the items' own: those of the members, other than
 * the item, of each story an item left or joined, read once for the whole batch (a
 * member from the batch itself counts with the categories it is being saved with).
 */
export async function assignStories(store: StoryAssignStore, config: StoriesConfig, items: readonly Item[]): Promise<string[]> {
  if (!config.enabled || items.length === 0) return [];
  const rules = storyRules(config);
  const assignments = items.map((item) => {
    const publishedMs = publishedMsOf(item);
    const entry = storyEntry(item.key, item.title, item.contentHtml || item.summary, publishedMs);
    return { entry, span: storySpan(publishedMs, rules) };
  });
  const placed = await store.stories.assignMany(assignments, (candidates, a) => chooseStory(a.entry, candidates, rules).storyId);

  const touched = new Set<string>();
  for (const p of placed) {
    touched.add(p.storyId);
    if (p.previousStoryId !== null) touched.add(p.previousStoryId);
  }
  // Each story's members once for the whole batch, read at once rather than one round trip after another.
  const members = new Map(await Promise.all([...touched].map(async (id) => [id, await store.stories.members(id)] as const)));
  const others = new Set<string>();
  placed.forEach((p, i) => {
    const key = (items[i] as Item).key;
    for (const id of p.previousStoryId === null ? [p.storyId] : [p.previousStoryId, p.storyId]) {
      for (const m of members.get(id) ?? []) if (m.key !== key) others.add(m.key);
    }
  });
  if (others.size === 0) return [];

  const inBatch = new Map(items.map((item) => [item.key, item]));
  const stored = [...others].filter((key) => !inBatch.has(key));
  const changed = new Set<string>([ALL_SLUG]);
  const memberItems = [...(await Promise.all(stored.map((key) => store.getItem(key)))), ...[...others].map((key) => inBatch.get(key))];
  for (const member of memberItems) {
    // The first category is the publisher's own, which shows every copy and never groups.
    for (const slug of member?.categories.slice(1) ?? []) changed.add(slug);
  }
  return [...changed];
}

/** Epoch ms of the item's publication (its storage time when the date is unreadable). */
export function publishedMsOf(item: Pick<Item, 'publishedAt' | 'storedAt'>): number {
  const published = Date.parse(item.publishedAt);
  if (Number.isFinite(published)) return published;
  const stored = Date.parse(item.storedAt);
  return Number.isFinite(stored) ? stored : 0;
}
