import type { Config, Item } from '../domain.js';
import { describeError } from '../errors.js';
import { renderJekyllPost } from '../publish/render-jekyll.js';
import type { Store } from '../store/store.js';
import { resolvePublisher } from '../tagging/publisher.js';
import { epochOf } from '../util/time.js';

/** One item the export could not write, and why. */
export interface ExportFailure {
  key: string;
  infoCode: string | null;
  /** The post's path below the export directory, when it got that far. */
  path?: string;
  error: string;
}

/** Where the export keeps posts: a Jekyll site, by a post's path below its directory. */
export interface PostFiles {
  /** The post's current content; undefined when there is none. */
  read(postPath: string): Promise<string | undefined>;
  write(postPath: string, content: string): Promise<void>;
}

export interface ExportResult {
  written: number;
  unchanged: number;
  /** Items skipped because their post could not be rendered or written; the others are written. */
  failed: ExportFailure[];
}

/**
 * Writes every stored item (optionally only those published since `since`) as
 * _posts/YYYY-MM-DD-<infoCode>.md of the site; posts whose content is unchanged are left
 * alone. One item that cannot be written is reported through `onFailure` and skipped;
 * the rest are still written.
 */
export async function exportJekyll(
  deps: { config: Config; store: Pick<Store, 'listItems'> },
  files: PostFiles,
  opts: { since?: Date; onFailure?: (f: ExportFailure) => void } = {},
): Promise<ExportResult> {
  const { config, store } = deps;
  const result: ExportResult = { written: 0, unchanged: 0, failed: [] };
  // Post paths of this run: a second item on a taken path would overwrite the first.
  const taken = new Map<string, string>();
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
      let postPath: string | undefined;
      try {
        const post = renderPost(config, item);
        postPath = post.path;
        const owner = taken.get(post.path);
        if (owner !== undefined && owner !== item.key) throw new Error(`${post.path} is already the post of ${owner}`);
        taken.set(post.path, item.key);
        if ((await files.read(post.path)) === post.content) {
          result.unchanged++;
          continue;
        }
        await files.write(post.path, post.content);
        result.written++;
      } catch (err) {
        const failure: ExportFailure = { key: item.key, infoCode: item.infoCode, error: describeError(err) };
        if (postPath !== undefined) failure.path = postPath;
        result.failed.push(failure);
        opts.onFailure?.(failure);
      }
    }
  } while (before);
  return result;
}

function renderPost(config: Config, item: Item): ReturnType<typeof renderJekyllPost> {
  // The publisher's category as stored with the item, so back-links match the site's
  // categories even if `publishers:` changed since.
  const slug = item.categories[0] ?? resolvePublisher(item.publisher, config.publishers).slug;
  return renderJekyllPost(item, config.site, { name: item.publisher, slug });
}
