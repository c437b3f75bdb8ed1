/**
 * The story index port: fingerprints of stored articles by LSH band, and which story
 * each article is in. Both store adapters keep one (sqlite-stories.ts, redis-stories.ts)
 * and pass one contract suite (tests/stories/story-index-contract.ts). The rule that
 * picks a story is not here: `assign` runs the caller's `choose` (src/stories) between
 * the lookup and the write, atomically for every process sharing the store.
 */

/** An article as the index keeps it. */
export interface StoryEntry {
  key: string;
  /** Opaque fingerprint (src/stories/fingerprint.ts). */
  fingerprint: string;
  /** LSH band values of the fingerprint, each indexed for lookup. */
  bands: string[];
  /** Epoch ms. */
  publishedMs: number;
}

/** An indexed article and its story: what a lookup returns. */
export interface StoryIndexed {
  key: string;
  fingerprint: string;
  publishedMs: number;
  storyId: string;
}

/** A member of a story, oldest first when listed. */
export interface StoryMember {
  key: string;
  publishedMs: number;
}

/** Published-time bounds of a lookup, epoch ms, inclusive. */
export interface StorySpan {
  sinceMs: number;
  untilMs: number;
}

/**
 * At most this many entries are read per band value in a lookup: those published last
 * within the span. A band value that many articles share is boilerplate (a template, a
 * broker's disclaimer), not evidence of a reprint; reading all of them made each
 * assignment cost grow with the index (hundreds of candidates an article). A true reprint
 * shares several of its 16 bands with the original, so it is still found through the others.
 */
export const CANDIDATES_PER_BAND = 32;

/** What `choose` gets and returns: the candidates found, and the story id picked. */
export type ChooseStory = (candidates: StoryIndexed[]) => string;

/** An article to place in its story: its index entry, and the published-time span its lookup covers. */
export interface StoryAssignment {
  entry: StoryEntry;
  span: StorySpan;
}

/**
 * What `assignMany`'s `choose` gets and returns: the candidates found for one assignment
 * of the batch, that assignment (the caller's own object, so it may carry more) and its
 * position, and the story id picked.
 */
export type ChooseStoryFor<A extends StoryAssignment> = (candidates: StoryIndexed[], assignment: A, index: number) => string;

/** Where `assignMany` recorded an entry. */
export interface StoryPlacement {
  storyId: string;
  /** The story of the key's record just before this one replaced it; null when the key was not indexed. */
  previousStoryId: string | null;
}

export interface StoryIndex {
  /**
   * Looks up the entries sharing a band with `entry` published within `span`, calls
   * `choose` with them (the entry's own earlier record excluded) and records the entry
   * in the story it returns, replacing any earlier record of the key (a re-fingerprinted
   * article moves with its new bands). Atomic across every process sharing the store:
   * two entries assigned at the same moment see each other, one after the other.
   * Returns the story id recorded. The same as `assignMany` of one entry.
   */
  assign(entry: StoryEntry, span: StorySpan, choose: ChooseStory): Promise<string>;

  /**
   * `assign` for a batch, in order, as one atomic step: each assignment is looked up,
   * chosen for and recorded before the next is looked up, so a later entry finds the
   * earlier ones of the batch (two reprints saved together join one story) and a key
   * given twice ends with its last record. No other writer's assignment lands between
   * two of the batch. Returns one placement per assignment, in order; [] for [].
   */
  assignMany<A extends StoryAssignment>(assignments: readonly A[], choose: ChooseStoryFor<A>): Promise<StoryPlacement[]>;

  /**
   * The entries sharing at least one of `bands`, published within `span` — for each band the
   * {@link CANDIDATES_PER_BAND} published last; no order.
   */
  candidates(bands: readonly string[], span: StorySpan): Promise<StoryIndexed[]>;

  /** The story of `key`, or null when it is not indexed. */
  storyOf(key: string): Promise<string | null>;

  /** The members of a story, earliest published first (then by key); [] when unknown. */
  members(storyId: string): Promise<StoryMember[]>;

  /** Forgets `key` (its bands and membership); a no-op when it is not indexed. */
  remove(key: string): Promise<void>;

  /**
   * Forgets entries whose publishedMs and recording time are both before `before` —
   * the rule items are pruned by, so an entry goes with its item. Returns how many.
   */
  prune(before: Date): Promise<number>;
}
