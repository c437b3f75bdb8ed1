/**
 * Publisher resolution: which name an item is tagged with, and that name's slug and tag
 * (INTERFACE §3).
 */
import type { PublisherConfig } from '../domain.js';
import { slugOf } from './slug.js';

/** A publisher after aliases: its name, its category slug and its tag. */
export interface ResolvedPublisher {
  /** The name items are tagged with (the alias target when the raw name is an alias). */
  name: string;
  /** Category slug: the `publishers:` entry's `slug`, else {@link slugOf} the name. */
  slug: string;
  /** `<name>新闻`, e.g. `中国工业报新闻`. */
  tag: string;
}

/**
 * Resolves a raw publisher name against the `publishers:` section of feeds.yaml.
 *
 * The name is trimmed, then an `alias` is followed once (`证券时报网` → `证券时报`); an alias
 * of an alias is not followed further, so a cycle in the config cannot loop. The slug comes
 * from the resolved name's own entry (`证券时报: { slug: stcn }`), never from the alias
 * entry, so every route to one publisher lands in one category.
 */
export function resolvePublisher(
  raw: string,
  publishers: Record<string, PublisherConfig>,
): ResolvedPublisher {
  const trimmed = raw.trim();
  const alias = entryOf(publishers, trimmed)?.alias?.trim();
  const name = alias !== undefined && alias !== '' ? alias : trimmed;
  const configured = entryOf(publishers, name)?.slug?.trim();
  const slug = configured !== undefined && configured !== '' ? configured : slugOf(name);
  return { name, slug, tag: `${name}新闻` };
}

/** Where an item's publisher may come from, in no particular order. */
export interface PublisherCandidates {
  /** The source's fixed `publisher`. */
  fixed?: string;
  /** The article page's `（文章来源：X）`, tags stripped. */
  page?: string;
  /** The item's own publisher field (a json/html record's `fields.publisher`, e.g. mediaName). */
  itemPublisher?: string;
  /** The feed item's author / creator / source field. */
  itemAuthor?: string;
  /** The source feed's title. */
  feedTitle?: string;
}

/**
 * Picks the raw publisher name by the precedence of INTERFACE §3: the source's fixed
 * publisher, else the page's `文章来源`, else the item's own publisher field, else its
 * author/creator/source, else the feed title. Blank candidates are skipped; the winner is returned trimmed, and
 * `undefined` when every candidate is blank. Aliases are not applied here
 * (see {@link resolvePublisher}).
 */
export function choosePublisher(candidates: PublisherCandidates): string | undefined {
  for (const candidate of [
    candidates.fixed,
    candidates.page,
    candidates.itemPublisher,
    candidates.itemAuthor,
    candidates.feedTitle,
  ]) {
    const trimmed = candidate?.trim();
    if (trimmed !== undefined && trimmed !== '') return trimmed;
  }
  return undefined;
}

function entryOf(
  publishers: Record<string, PublisherConfig>,
  name: string,
): PublisherConfig | undefined {
  // Own keys only: a publisher called "constructor" must not find Object.prototype's.
  return Object.hasOwn(publishers, name) ? publishers[name] : undefined;
}
