import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../domain.js';
import { renderJekyllPost } from '../publish/render-jekyll.js';
import type { Store } from '../store/store.js';
import { resolvePublisher } from '../tagging/publisher.js';
import { epochOf } from '../util/time.js';

export interface ExportResult {
  written: number;
  unchanged: number;
}

/**
 * Writes every stored item (optionally only those published since `since`) as
 * DIR/_posts/YYYY-MM-DD-<infoCode>.md; files whose content is unchanged are left alone.
 */
export async function exportJekyll(config: Config, store: Store, dir: string, opts: { since?: Date } = {}): Promise<ExportResult> {
  const result: ExportResult = { written: 0, unchanged: 0 };
  let before: string | null = null;
  do {
    const page = await store.listItems({ limit: 200, before });
    before = page.next;
    for (const item of page.items) {
      // Newest first: the first item older than `since` ends the export.
      if (opts.since && epochOf(item.publishedAt) < opts.since.getTime()) {
        before = null;
        break;
      }
      // The publisher's category as stored with the item, so back-links match the site's
      // categories even if `publishers:` changed since.
      const slug = item.categories[0] ?? resolvePublisher(item.publisher, config.publishers).slug;
      const post = renderJekyllPost(item, config.site, { name: item.publisher, slug });
      const file = path.join(dir, post.path);
      const existing = await readFile(file, 'utf8').catch(() => undefined);
      if (existing === post.content) {
        result.unchanged++;
        continue;
      }
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, post.content);
      result.written++;
    }
  } while (before);
  return result;
}
