/**
 * Stories: reprints of one piece by several publishers, found by text similarity.
 * Stage code only (no I/O): normalization, fingerprints, LSH bands and the rule that
 * picks an article's story. The index of fingerprints is a store concern
 * (src/store/stories.ts).
 */
export { storyText, paragraphsOf, isBoilerplateLine } from './normalize.js';
export {
  bandsOf,
  fingerprintArticle,
  isFingerprint,
  numbersAgree,
  textDistance,
  BANDS,
  SHINGLE_CHARS,
  SLOTS,
  type Fingerprint,
} from './fingerprint.js';
export {
  chooseStory,
  leadOf,
  storyEntry,
  storySpan,
  DEFAULT_MAX_DISTANCE,
  DEFAULT_STORY_RULES,
  DEFAULT_STORY_WINDOW_MS,
  type StoryArticle,
  type StoryCandidate,
  type StoryChoice,
  type StoryEntryOf,
  type StoryMemberRef,
  type StoryRules,
} from './assign.js';
