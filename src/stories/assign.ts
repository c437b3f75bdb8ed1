/**
 * Which story a new article joins: the rule, as a plain function over the article's
 * fingerprint and the candidates the story index found for it.
 */
import { bandsOf, fingerprintArticle, numbersAgree, textDistanceAtMost, type Fingerprint } from './fingerprint.js';

/** How articles are grouped into stories. */
export interface StoryRules {
  /**
   * Greatest fingerprint distance (differing MinHash slots of 64) at which two articles
   * are one story; see fingerprint.ts.
   * @defaultValue {@link DEFAULT_MAX_DISTANCE}
   */
  maxDistance: number;
  /**
   * Members of a story are published within this span of each other, ms.
   * @defaultValue 72 h
   */
  windowMs: number;
}

/**
 * The default threshold (about Jaccard ≥ 0.63), picked from the precision/recall table
 * of bench/stories.ts on the labelled corpus (tests/fixtures/stories): recall reaches
 * 1.0 from 22 (0.92 at 18), and at 24 text alone is still free of false pairs (from 26
 * sector reports sharing a broker's boilerplate join), so the number check is a second
 * guard rather than the only one.
 */
export const DEFAULT_MAX_DISTANCE = 24;
export const DEFAULT_STORY_WINDOW_MS = 72 * 3600_000;

export const DEFAULT_STORY_RULES: Readonly<StoryRules> = { maxDistance: DEFAULT_MAX_DISTANCE, windowMs: DEFAULT_STORY_WINDOW_MS };

/** An article looking for its story. */
export interface StoryArticle {
  key: string;
  fingerprint: Fingerprint;
  /** Epoch ms. */
  publishedMs: number;
}

/** A stored article that shares a band with the new one, and the story it is in. */
export interface StoryCandidate extends StoryArticle {
  storyId: string;
}

/** Where an article goes: an existing story (joined) or a new one named after it. */
export interface StoryChoice {
  storyId: string;
  /** The candidate it matched, absent for a new story. */
  matched?: StoryCandidate;
  /** Its distance to the candidate matched. */
  distance?: number;
}

/**
 * The story `article` joins: that of the nearest candidate within `rules.maxDistance`,
 * published within the window of it and whose numbers agree; ties go to the
 * earliest-published candidate, then the smallest key. With none, a new story whose
 * id is the article's key. The article itself among the candidates (a re-fingerprinted
 * article) is ignored.
 */
export function chooseStory(article: StoryArticle, candidates: readonly StoryCandidate[], rules: StoryRules): StoryChoice {
  let best: StoryCandidate | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c.key === article.key) continue;
    if (Math.abs(c.publishedMs - article.publishedMs) > rules.windowMs) continue;
    // Only distances within the threshold matter, and only the best one: counting stops past it.
    const d = textDistanceAtMost(article.fingerprint, c.fingerprint, Math.min(rules.maxDistance, bestDistance));
    if (d > rules.maxDistance || d > bestDistance || !numbersAgree(article.fingerprint, c.fingerprint)) continue;
    if (
      best === undefined ||
      d < bestDistance ||
      (d === bestDistance && (c.publishedMs < best.publishedMs || (c.publishedMs === best.publishedMs && c.key < best.key)))
    ) {
      best = c;
      bestDistance = d;
    }
  }
  return best === undefined ? { storyId: article.key } : { storyId: best.storyId, matched: best, distance: bestDistance };
}

/** A member of a story as the index lists it. */
export interface StoryMemberRef {
  key: string;
  publishedMs: number;
}

/** The lead of a story: its earliest-published member (smallest key on a tie). */
export function leadOf<T extends StoryMemberRef>(members: readonly T[]): T | undefined {
  let lead: T | undefined;
  for (const m of members) {
    if (lead === undefined || m.publishedMs < lead.publishedMs || (m.publishedMs === lead.publishedMs && m.key < lead.key)) lead = m;
  }
  return lead;
}

/** An article ready for the story index: its fingerprint and LSH bands. */
export interface StoryEntryOf extends StoryArticle {
  bands: string[];
}

/**
 * The story index entry of an article, from its key, title, body (stored HTML or text)
 * and publication time (epoch ms).
 */
export function storyEntry(key: string, title: string, body: string, publishedMs: number): StoryEntryOf {
  const fingerprint = fingerprintArticle(title, body);
  return { key, fingerprint, bands: bandsOf(fingerprint), publishedMs };
}

/** The published-time span in which an article published at `publishedMs` looks for its story. */
export function storySpan(publishedMs: number, rules: StoryRules): { sinceMs: number; untilMs: number } {
  return { sinceMs: publishedMs - rules.windowMs, untilMs: publishedMs + rules.windowMs };
}
