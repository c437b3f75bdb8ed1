/**
 * The words of the bookkeeping lines of Chinese news bodies — the attribution
 * `（文章来源：X）`, editor lines `（责任编辑：DF537）` and bylines `（本报记者 刘英）`.
 * Extraction (articles/lines) takes these lines out of a stored body or reads the author
 * from them; the story fingerprint (stories/normalize) ignores them, so that a reprint
 * that changes only its bookkeeping reads as the same piece. Both build their patterns
 * from these lists; what only one of them recognises is a named extra list beside its
 * own patterns.
 */

/** A bracket a bookkeeping line may open with: `（责任编辑：…）`, `(编辑:…)`, `【责编：…】`, `[编辑：…]`. */
export const OPEN_BRACKET = '[（(【[]';

/** Characters of a person's name: Han, and the middle dots of transliterated names (`阿卜杜·热合曼`). */
export const NAME_CHARS = String.raw`\p{Script=Han}·•`;

/** The label of an attribution line: `（文章来源：中国工业报）`. */
export const SOURCE_LABELS: readonly string[] = ['文章来源'];

/** Roles an editor line names before its `：`: `（责任编辑：DF537）`, `（校对：李红）`. */
export const EDITOR_ROLES: readonly string[] = ['责任编辑', '责编', '编辑', '校对', '审校', '审核', '监制', '实习编辑'];

/** What may stand before 记者 in a byline: `本报记者`, `新华社记者`, `见习记者`. */
export const REPORTER_PREFIXES: readonly string[] = ['本报', '新华社', '中新社', '见习', '特约'];

/** Roles of a byline besides 记者 and 文: `作者：刘英`, `撰文：刘英`, `通讯员 刘英`. */
export const AUTHOR_ROLES: readonly string[] = ['作者', '撰文', '通讯员'];

/** A non-capturing regular-expression alternative of `words`, each matched literally. */
export function anyOf(words: readonly string[]): string {
  return `(?:${words.map((w) => w.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&')).join('|')})`;
}
