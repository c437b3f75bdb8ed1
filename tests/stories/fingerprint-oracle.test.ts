import { decodeHTML } from 'entities';
import { describe, expect, it } from 'vitest';
import { headline, paragraph } from '../../bench/lib/zh-text.js';
import { seededRandom } from '../../bench/lib/rng.js';
import { fingerprintArticle, minhash, numberSketch, numbersOf } from '../../src/stories/fingerprint.js';
import { isBoilerplateLine, storyText, wordCharacters } from '../../src/stories/normalize.js';
import { storyCorpus } from '../fixtures/stories/corpus.js';

// The fingerprint as first written, NFKC-normalizing and regex-replacing every text
// whole: the oracle the one-pass folding must agree with, unit for unit, since a
// fingerprint that changes makes every stored one incomparable with new ones.
const BREAKS = /<\/(?:p|div|li|h[1-6]|tr|blockquote|section)\s*>|<br\s*\/?>|\n/giu;
const TAGS = /<[^>]*>/gu;
const BRACKET_PREFIX = /^\s*(?:【[^】]{0,60}】\s*)+/u;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const NUMBER = /\d+(?:\.\d+)?/gu;

function oracleParagraphs(body: string): string[] {
  const out: string[] = [];
  for (const chunk of body.split(BREAKS)) {
    const text = decodeHTML(chunk.replace(TAGS, ' ')).replace(/\s+/gu, ' ').trim();
    if (text !== '') out.push(text);
  }
  return out;
}

function oracleWords(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(NOT_WORD, '');
}

function oracleText(title: string, body: string): string {
  const parts = [oracleWords(title.replace(BRACKET_PREFIX, ''))];
  for (const p of oracleParagraphs(body)) {
    if (isBoilerplateLine(p)) continue;
    parts.push(oracleWords(p.replace(BRACKET_PREFIX, '')));
  }
  return parts.join('');
}

function oracleNumbers(title: string, body: string): Set<string> {
  const out = new Set<string>();
  for (const t of [title, ...oracleParagraphs(body).filter((p) => !isBoilerplateLine(p))]) {
    for (const m of t.normalize('NFKC').matchAll(NUMBER)) if (m[0].length > 1) out.add(m[0]);
  }
  return out;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function oracleMinhash(text: string, n = 3): string {
  const mins = new Uint32Array(64).fill(0xffffffff);
  const filled = new Uint8Array(64);
  const len = text.length;
  const last = len === 0 ? -1 : Math.max(0, len - n);
  for (let i = 0; i <= last; i++) {
    let h = 0x811c9dc5;
    const end = Math.min(len, i + n);
    for (let j = i; j < end; j++) h = Math.imul(h ^ text.charCodeAt(j), 0x01000193);
    h = fmix32(h);
    const slot = h >>> 26;
    const value = fmix32(h ^ 0x9e3779b9);
    if (value < mins[slot]! || filled[slot] === 0) {
      mins[slot] = value;
      filled[slot] = 1;
    }
  }
  let out = '';
  for (let s = 0; s < 64; s++) {
    let v = 0;
    for (let d = 0; d < 64; d++) {
      const from = (s + d) % 64;
      if (filled[from] === 1) {
        v = d === 0 ? mins[from]! : fmix32(mins[from]! ^ Math.imul(d, 0x27d4eb2f));
        break;
      }
    }
    out += (v & 0xffff).toString(16).padStart(4, '0');
  }
  return out;
}

function oracleFingerprint(title: string, body: string): string {
  return oracleMinhash(oracleText(title, body)) + numberSketch(oracleNumbers(title, body));
}

/** Units around the ones folded one at a time, and some that must send a text down the general path. */
function units(): string[] {
  const out: string[] = [];
  const ranges = [
    [0x00, 0xff],
    [0x2000, 0x206f],
    [0x3000, 0x303f],
    [0xff00, 0xffef],
  ] as const;
  for (const [from, to] of ranges) for (let c = from; c <= to; c++) out.push(String.fromCharCode(c));
  for (let c = 0x3400; c <= 0x9fff; c += 397) out.push(String.fromCharCode(c));
  // Combining marks, Hangul jamo, half-width katakana and its voicing mark, a CJK
  // compatibility ideograph, ℃, ①, a surrogate pair.
  out.push('\u0301', '\u0308', '\u0345', '\u1100', '\u1161', '\u11a8', '\uac00', '\uff76', '\uff9e', '\u3099', '\uf900', '℃', '①', '𝟏', '\ud835');
  return out;
}

/** Generated articles with what reprints vary in: full-width forms, case, 【】 prefixes, entities, odd spacing, decimals. */
function generated(count: number): Array<{ title: string; body: string }> {
  const rand = seededRandom(20240601);
  const flavours: Array<(s: string) => string> = [
    (s) => s,
    (s) => s.replace(/[0-9.A-Za-z%]/gu, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)),
    (s) => `【${headline(rand).slice(0, 8)}】 ${s}`,
    (s) => s.replace(/，/gu, ' , ').replace(/。/gu, '&nbsp;。&amp;'),
    (s) => s.replace(/(\d)\.(\d)/gu, '$1．$2').replace(/亿/gu, 'ABC亿'),
    (s) => s.replace(/。/gu, '……“Ｘ”——').replace(/(\d)/gu, '$1․'),
  ];
  const out: Array<{ title: string; body: string }> = [];
  for (let i = 0; i < count; i++) {
    const flavour = flavours[i % flavours.length] as (s: string) => string;
    const paragraphs = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => flavour(paragraph(rand, 1, 4)));
    const body = [...paragraphs.map((p) => `<p>\u3000\u3000${p}</p>`), '<p class="em_media">（文章来源：新华社）</p>'].join(i % 2 === 0 ? '' : '\n');
    out.push({ title: flavour(headline(rand)), body });
  }
  return out;
}

describe('fingerprintArticle against the whole-text normalization it replaces', () => {
  it('gives every article of the story corpus the same fingerprint', () => {
    for (const a of storyCorpus()) {
      expect(fingerprintArticle(a.title, a.contentHtml), a.key).toBe(oracleFingerprint(a.title, a.contentHtml));
      expect(storyText(a.title, a.contentHtml), a.key).toBe(oracleText(a.title, a.contentHtml));
    }
  });

  it('gives 3,000 generated articles, full-width, prefixed and entity-laden ones among them, the same fingerprint', () => {
    for (const a of generated(3000)) {
      expect(fingerprintArticle(a.title, a.body), a.title).toBe(oracleFingerprint(a.title, a.body));
      expect([...numbersOf(a.title, a.body)].sort(), a.title).toEqual([...oracleNumbers(a.title, a.body)].sort());
    }
  });

  it('signs texts of every length from none to past a shingle, and other shingle sizes, as before', () => {
    const text = '沪指涨1.96%报3266.60点ABCdef';
    for (let len = 0; len <= text.length; len++) {
      for (const n of [1, 2, 3, 4, 5]) expect(minhash(text.slice(0, len), n), `${len} ${n}`).toBe(oracleMinhash(text.slice(0, len), n));
    }
  });

  it('folds every UTF-16 unit alone as NFKC, lower-casing and dropping non-word characters do', () => {
    const differ: string[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (wordCharacters(ch) !== oracleWords(ch) || !sameNumbers(`1${ch}2`, `<p>${ch}34</p>`)) differ.push(c.toString(16));
    }
    expect(differ).toEqual([]);
  });

  it('folds units next to each other as they fold alone, and the others with their neighbours', () => {
    const all = units();
    const differ: string[] = [];
    for (const a of all) {
      for (const b of all) {
        const text = `${a}${b}5${a}`;
        if (wordCharacters(text) !== oracleWords(text) || !sameNumbers(`7${a}${b}8`, '')) differ.push(`${a.charCodeAt(0).toString(16)} ${b.charCodeAt(0).toString(16)}`);
      }
    }
    expect(differ).toEqual([]);
  });
});

function sameNumbers(title: string, body: string): boolean {
  const ours = [...numbersOf(title, body)].sort().join(' ');
  return ours === [...oracleNumbers(title, body)].sort().join(' ');
}
