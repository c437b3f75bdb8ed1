import { createHash } from 'node:crypto';
import type { InfoCodeRule, ItemIdentity, SourceItem } from '../domain.js';
import { canonicalLink } from './canonical-link.js';
import { canonicalInfoCode, comparisonForm, extractInfoCode } from './info-code.js';

/** Longest infoCode kept readable in a key; longer ones are hashed. */
const MAX_CODE_IN_KEY = 100;

/**
 * An item's identity: its canonical infoCode (or null) and its deduplication key.
 *
 * Keys: `ic-<comparison form of the infoCode>` (so `NW2022…` and bare `2022…` share
 * one); without an infoCode `g-<sha1(guid)>`, else `u-<sha1(canonical link)>`,
 * else `t-<sha1(title)>` (hashes cut to 20 hex chars). Keys contain only
 * `[A-Za-z0-9_-]`, are never all digits and never contain `:`, so they are safe as
 * BullMQ job ids and inside Redis keys.
 */
export function identify(item: SourceItem, rule: InfoCodeRule): ItemIdentity {
  const raw = extractInfoCode(item, rule);
  if (raw !== null) {
    const infoCode = canonicalInfoCode(raw);
    return { key: infoCodeKey(infoCode), infoCode };
  }
  const guid = item.guid?.trim();
  if (guid) return { key: `g-${sha1(guid).slice(0, 20)}`, infoCode: null };
  const link = item.link?.trim();
  if (link) return { key: `u-${sha1(canonicalLink(link)).slice(0, 20)}`, infoCode: null };
  return { key: `t-${sha1(item.title.trim()).slice(0, 20)}`, infoCode: null };
}

/**
 * The deduplication key of an infoCode in any form (`ic-202203302327572513` for both
 * `NW202203302327572513` and `202203302327572513`). Characters outside
 * `[A-Za-z0-9-]` are written as `_` plus their UTF-8 bytes in hex (`_` itself is
 * `_5F`), so distinct codes keep distinct keys.
 */
export function infoCodeKey(code: string): string {
  const form = comparisonForm(code);
  const safe = Array.from(form, (ch) =>
    /[A-Za-z0-9-]/.test(ch)
      ? ch
      : Array.from(Buffer.from(ch, 'utf8'), (b) => `_${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  ).join('');
  // Codes are upper-cased, so a lower-case hash never collides with a readable key.
  return safe.length > MAX_CODE_IN_KEY ? `ic-${sha1(form)}` : `ic-${safe}`;
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}
