/**
 * Story fingerprints: a MinHash signature of an article's normalized text over
 * character shingles, and beside it a 64-bit sketch of the numbers the article states.
 *
 * **MinHash, not SimHash** — chosen by measurement (bench/stories.ts prints both). On
 * the labelled corpus a 64-bit SimHash puts reprints of one piece (another first line
 * and attribution, a 原标题 line, a rewritten headline, a dropped last paragraph) at
 * Hamming distance up to 16, and pieces that merely share a broker's boilerplate at 10.
 * The 4 × 16-bit band index finds only pairs within distance 3 (pigeonhole), where
 * SimHash recall is 0.05; it needs distance 12–16 for recall ≥ 0.9, which no band layout
 * over 64 bits indexes without comparing most stored prints. SimHash suits pages that
 * are almost identical; reprints of 300–2,000 characters are not. MinHash estimates the
 * Jaccard similarity of the shingle sets directly (a reprint keeping 75% of the shingles
 * reads as 0.75), and its LSH bands (16 bands of 4 slots) find a pair of similarity s
 * with probability 1 − (1 − s⁴)¹⁶ — 0.99 at 0.7 — while unrelated pieces almost never
 * share a band, so a lookup reads a handful of rows at any store size.
 *
 * The signature is built by one-permutation hashing: each shingle is hashed once, the
 * hash picks one of {@link SLOTS} slots and competes for that slot's minimum, and empty
 * slots (short texts) borrow from their right neighbour. One hash per shingle keeps a
 * fingerprint a small fraction of extraction time. Each slot keeps the low 16 bits of its
 * minimum (b-bit MinHash), so a signature is 64 × 16 bits.
 *
 * **Distance** between two fingerprints is the number of the 64 slots whose values
 * differ: 0 for the same text, about 64 × (1 − Jaccard) otherwise, 64 for unrelated.
 *
 * **The number sketch**: same-template pieces (the daily market wrap "沪指涨1.96%…" vs
 * "沪指跌0.52%…", sector reports sharing boilerplate) share much of their wording and
 * differ in their figures; reprints keep their figures. Two articles join a story only
 * when most numbers of the one stating fewer also appear in the other
 * ({@link numbersAgree}).
 *
 * Shingles are runs of {@link SHINGLE_CHARS} characters of the normalized text (Han
 * characters, ASCII letters and digits alike; no word segmentation), chosen by
 * measurement on the corpus (bench/stories.ts).
 */
import { foldStoryPart, storyParts } from './normalize.js';

/** Characters per shingle. */
export const SHINGLE_CHARS = 3;

/** MinHash slots per signature. */
export const SLOTS = 64;
/** LSH bands, each {@link SLOTS} / BANDS consecutive slots. */
export const BANDS = 16;
const SLOT_HEX = 4;
const BAND_HEX = (SLOTS / BANDS) * SLOT_HEX;
const SIGNATURE_HEX = SLOTS * SLOT_HEX;

/**
 * A story fingerprint: lowercase hex, the 64 × 16-bit MinHash signature of the text
 * (256 digits) followed by the 64-bit number sketch (16 digits). Opaque to the store.
 */
export type Fingerprint = string;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Offers the shingle hashed to `h` to its slot. */
function offer(mins: Uint32Array, filled: Uint8Array, h: number): void {
  h = fmix32(h);
  const slot = h >>> 26;
  const value = fmix32(h ^ 0x9e3779b9);
  if (value < (mins[slot] as number) || filled[slot] === 0) {
    mins[slot] = value;
    filled[slot] = 1;
  }
}

/** The MinHash signature of `text` over shingles of `n` UTF-16 units, as 256 hex digits. */
export function minhash(text: string, n: number = SHINGLE_CHARS): string {
  const mins = new Uint32Array(SLOTS).fill(0xffffffff);
  const filled = new Uint8Array(SLOTS);
  const len = text.length;
  if (n === 3 && len >= 3) {
    // Shingles of three units, the default: each unit read once.
    let a = text.charCodeAt(0);
    let b = text.charCodeAt(1);
    for (let i = 2; i < len; i++) {
      const c = text.charCodeAt(i);
      offer(mins, filled, Math.imul(Math.imul(Math.imul(0x811c9dc5 ^ a, 0x01000193) ^ b, 0x01000193) ^ c, 0x01000193));
      a = b;
      b = c;
    }
  } else {
    const last = len === 0 ? -1 : Math.max(0, len - n);
    for (let i = 0; i <= last; i++) {
      let h = 0x811c9dc5;
      const end = Math.min(len, i + n);
      for (let j = i; j < end; j++) h = Math.imul(h ^ text.charCodeAt(j), 0x01000193);
      offer(mins, filled, h);
    }
  }
  let out = '';
  for (let s = 0; s < SLOTS; s++) {
    let v = 0;
    // An empty slot borrows the next filled one's minimum, re-hashed by the distance, so
    // two texts agree there exactly when they agree on the slot lent (densification).
    for (let d = 0; d < SLOTS; d++) {
      const from = (s + d) % SLOTS;
      if (filled[from] === 1) {
        v = d === 0 ? (mins[from] as number) : fmix32((mins[from] as number) ^ Math.imul(d, 0x27d4eb2f));
        break;
      }
    }
    out += (HEX[(v >>> 8) & 0xff] as string) + (HEX[v & 0xff] as string);
  }
  return out;
}

/**
 * The figures an article states (`1.96`, `3266.60`, `2025`), as written, from its title
 * and non-boilerplate paragraphs; single digits are left out as too common to tell
 * anything apart.
 */
export function numbersOf(title: string, body: string): Set<string> {
  const out = new Set<string>();
  for (const part of storyParts(title, body)) addFigures(out, foldStoryPart(part).numbers);
  return out;
}

function addFigures(out: Set<string>, figures: readonly string[]): void {
  for (const figure of figures) if (figure.length > 1) out.add(figure);
}

/** A 64-bit sketch of a set of numbers, one bit per number, as 16 hex digits. */
export function numberSketch(numbers: Iterable<string>): string {
  let hi = 0;
  let lo = 0;
  for (const s of numbers) {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    const bit = fmix32(h) & 63;
    if (bit < 32) hi |= 1 << bit;
    else lo |= 1 << (bit - 32);
  }
  return hex32(hi) + hex32(lo);
}

/**
 * The story fingerprint of an article from its title and body (stored HTML or text): the
 * MinHash of its `storyText` (normalize.ts) and the sketch of its {@link numbersOf}, both read in
 * one pass over each of its texts.
 */
export function fingerprintArticle(title: string, body: string): Fingerprint {
  let text = '';
  const numbers = new Set<string>();
  for (const part of storyParts(title, body)) {
    const folded = foldStoryPart(part);
    text += folded.words;
    addFigures(numbers, folded.numbers);
  }
  return minhash(text) + numberSketch(numbers);
}

/** True for a well-formed fingerprint (272 lowercase hex digits). */
export function isFingerprint(value: string): value is Fingerprint {
  return value.length === SIGNATURE_HEX + 16 && /^[0-9a-f]+$/u.test(value);
}

/**
 * Distance of two fingerprints' texts: the number of MinHash slots (of 64) that differ;
 * about 64 × (1 − Jaccard similarity of their shingles).
 */
export function textDistance(a: Fingerprint, b: Fingerprint): number {
  let d = 0;
  for (let i = 0; i < SIGNATURE_HEX; i += SLOT_HEX) {
    if (a.charCodeAt(i) !== b.charCodeAt(i) || a.charCodeAt(i + 1) !== b.charCodeAt(i + 1) ||
      a.charCodeAt(i + 2) !== b.charCodeAt(i + 2) || a.charCodeAt(i + 3) !== b.charCodeAt(i + 3)) d++;
  }
  return d;
}

/**
 * {@link textDistance} when it is at most `limit`, else `limit + 1`: stops counting at
 * the first slot past the limit, which for unrelated articles is well before the end.
 */
export function textDistanceAtMost(a: Fingerprint, b: Fingerprint, limit: number): number {
  let d = 0;
  for (let i = 0; i < SIGNATURE_HEX; i += SLOT_HEX) {
    if (a.charCodeAt(i) !== b.charCodeAt(i) || a.charCodeAt(i + 1) !== b.charCodeAt(i + 1) ||
      a.charCodeAt(i + 2) !== b.charCodeAt(i + 2) || a.charCodeAt(i + 3) !== b.charCodeAt(i + 3)) {
      if (++d > limit) return d;
    }
  }
  return d;
}

function popcount32(n: number): number {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (Math.imul((n + (n >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function sketchWord(fp: string, at: number): number {
  return Number.parseInt(fp.slice(SIGNATURE_HEX + at, SIGNATURE_HEX + at + 8), 16) >>> 0;
}

/**
 * Least share of the smaller number set that the other must hold for two articles to
 * be one story (compared on the 64-bit sketches).
 */
export const NUMBERS_AGREE = 0.6;

/**
 * True when the numbers of two fingerprints mostly agree: at least {@link NUMBERS_AGREE}
 * of the figures of the article stating fewer also appear in the other. Articles with
 * fewer than three figures pass: there is nothing to tell them apart by.
 */
export function numbersAgree(a: Fingerprint, b: Fingerprint): boolean {
  const a1 = sketchWord(a, 0);
  const a2 = sketchWord(a, 8);
  const b1 = sketchWord(b, 0);
  const b2 = sketchWord(b, 8);
  const fewer = Math.min(popcount32(a1) + popcount32(a2), popcount32(b1) + popcount32(b2));
  if (fewer < 3) return true;
  return popcount32(a1 & b1) + popcount32(a2 & b2) >= NUMBERS_AGREE * fewer;
}

/**
 * The LSH band values of a fingerprint: `<band>:<16 hex digits>` for each run of four
 * slots. Two texts of Jaccard similarity s share at least one band with probability
 * 1 − (1 − s⁴)¹⁶: 0.64 at 0.5, 0.99 at 0.7, 0.002 at 0.1.
 */
export function bandsOf(fp: Fingerprint): string[] {
  const out: string[] = [];
  for (let i = 0; i < BANDS; i++) out.push(`${i.toString(16)}:${fp.slice(i * BAND_HEX, (i + 1) * BAND_HEX)}`);
  return out;
}
