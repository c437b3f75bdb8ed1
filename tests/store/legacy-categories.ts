/**
 * The category listing of SQLite schema ≤ 3, kept as a reference: a migrated file must
 * list exactly what it answered, and bench/categories.ts measures it as the baseline.
 * A correlated subquery per item-category row: quadratic in the rows.
 */
export const LEGACY_CATEGORIES_SQL = `SELECT c.category AS slug, COUNT(*) AS count,
    n.published_at AS updated,
    CASE WHEN json_extract(n.doc, '$.categories[0]') = n.slug THEN json_extract(n.doc, '$.publisher') END AS publisher
  FROM item_categories c
  JOIN (SELECT c2.category AS slug, i.published_at, i.doc FROM item_categories c2 JOIN items i ON i.key = c2.key
        WHERE (c2.published_ms, c2.key) = (SELECT published_ms, key FROM item_categories WHERE category = c2.category
                                          ORDER BY published_ms DESC, key DESC LIMIT 1)) n ON n.slug = c.category
  GROUP BY c.category ORDER BY c.category`;

/** A legacy row as the store answered it (`publisher` dropped when empty). */
export function legacyCategory(r: { slug: string; count: number; updated: string | null; publisher: string | null }) {
  return { slug: r.slug, count: r.count, updated: r.updated, ...(r.publisher ? { publisher: r.publisher } : {}) };
}
