/**
 * Category slugs of publishers: the toneless pinyin of the name (INTERFACE §3).
 */
import { createHash } from 'node:crypto';
import { pinyin } from 'pinyin-pro';
import { ALL_SLUG } from '../domain.js';
import { boundedMemo } from '../util/memo.js';

/** What a publisher whose slug would be `all` gets instead. */
export const RESERVED_SLUG_REPLACEMENT = 'all-1';

/**
 * The slug of a publisher name: toneless pinyin with context-aware (phrase) readings
 * (重庆 → chongqing, 银行 → yinhang, 长江 → changjiang, 重要 → zhongyao), Latin letters
 * and digits kept, lower-cased, everything else dropped (`21世纪经济报道` →
 * `21shijijingjibaodao`, `上海证券报·中国证券网` → `shanghaizhengquanbaozhongguozhengquanwang`).
 *
 * - ü is written `v` (绿 → lv, 女 → nv), the usual ASCII spelling in URLs.
 * - Full-width letters and digits are folded to ASCII, accents dropped (é → e).
 * - A name with nothing left (only punctuation, or empty) gets `p-<8 hex of sha1(trimmed name)>`:
 *   stable across runs, and the `-` keeps it apart from any pinyin slug.
 * - `all` is reserved for the merged feed, so a publisher that would get it gets `all-1`
 *   (again the `-` means no real name can produce it).
 *
 * Pure and deterministic: the same name always yields the same slug. Every item asks for
 * its publisher's slug and a pass sees few publishers, so pinyin runs once per name (4096
 * kept: more is hostile input, not real publishers).
 */
export const slugOf: (name: string) => string = boundedMemo(computeSlug, 4096);

function computeSlug(name: string): string {
  const folded = name.normalize('NFKC').trim();
  const syllables = pinyin(folded, {
    toneType: 'none',
    type: 'array',
    // Runs of non-Chinese characters stay one token ("TechWeb", "21"), no spaces inserted.
    nonZh: 'consecutive',
    v: true,
  });
  const slug = syllables
    .join('')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
  if (slug === '') return fallbackSlug(folded);
  if (slug === ALL_SLUG) return RESERVED_SLUG_REPLACEMENT;
  return slug;
}

function fallbackSlug(name: string): string {
  return `p-${createHash('sha1').update(name, 'utf8').digest('hex').slice(0, 8)}`;
}
