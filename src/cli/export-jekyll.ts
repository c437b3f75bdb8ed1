import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../domain.js';
import { exportJekyll, type PostFiles } from '../pipeline/export-jekyll.js';
import type { Store } from '../store/store.js';
import { parseDate } from '../util/dates.js';

/** The posts of a Jekyll site directory on disk; a post's folders are made when it is written. */
export function siteDirectory(dir: string): PostFiles {
  return {
    read: (postPath) => readFile(path.join(dir, postPath), 'utf8').catch(() => undefined),
    write: async (postPath, content) => {
      const file = path.join(dir, postPath);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    },
  };
}

/**
 * `finews export jekyll DIR [--since DATE]`: exports into DIR, naming each post it
 * skips on stderr and the counts on stdout. Exits 2 for a bad --since, 1 when any post
 * is missing (so a cron job or CI step notices), else 0.
 */
export async function exportJekyllCommand(config: Config, store: Store, dir: string, opts: { since?: string }): Promise<number> {
  const since = opts.since === undefined ? undefined : parseDate(opts.since, config.site.timezone);
  if (opts.since !== undefined && since === undefined) {
    console.error(`finews export: --since: not a date: ${opts.since} (use YYYY-MM-DD)`);
    return 2;
  }
  const r = await exportJekyll({ config, store }, siteDirectory(dir), {
    since: since === undefined ? undefined : new Date(since),
    onFailure: (f) => console.error(`finews export: skipped ${f.infoCode ?? f.key}${f.path === undefined ? '' : ` (${f.path})`}: ${f.error}`),
  });
  const failed = r.failed.length === 0 ? '' : `, ${r.failed.length} failed`;
  console.log(`${dir}: ${r.written} posts written, ${r.unchanged} unchanged${failed}`);
  return r.failed.length === 0 ? 0 : 1;
}
