/**
 * `finews demo`: the bundled news site on 127.0.0.1 and the embedded daemon polling it,
 * with a data dir and a feeds.yaml of their own, until Ctrl-C stops both.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfigOrThrow } from '../config/load.js';
import { ORIGIN_PLACEHOLDER, startNewsSite } from '../demo/news-site.js';
import { demoDir, loadDemoSite } from '../demo/site-model.js';
import type { Config } from '../domain.js';
import type { RuntimeOptions } from '../runtime/options.js';
import { resolvePublisher } from '../tagging/publisher.js';
import type { Logger } from '../util/log.js';
import { runDaemon } from './start.js';

/** Written in demo/feeds.yaml where finews's own URL goes. */
const SITE_PLACEHOLDER = '$SITE';

export interface DemoOptions {
  /** finews's HTTP port. */
  port: number;
  /** The news site's port; default `port + 1`, or any free one when that is taken. */
  newsPort?: number;
  dataDir: string;
}

/** Runs the demo until SIGINT/SIGTERM; resolves the exit code. */
export async function demoCommand(o: DemoOptions, base: RuntimeOptions, log: Logger, out: NodeJS.WritableStream): Promise<number> {
  const dir = demoDir();
  const site = await loadDemoSite(dir);
  const news = await startNewsSite(site, o.newsPort ?? (o.port < 65535 ? o.port + 1 : 0));
  try {
    const siteUrl = `http://127.0.0.1:${o.port}`;
    await mkdir(o.dataDir, { recursive: true });
    const configPath = path.join(o.dataDir, 'feeds.yaml');
    const template = await readFile(path.join(dir, 'feeds.yaml'), 'utf8');
    await writeFile(configPath, template.replaceAll(ORIGIN_PLACEHOLDER, news.origin).replaceAll(SITE_PLACEHOLDER, siteUrl));
    const config = await loadConfigOrThrow(configPath);
    const options: RuntimeOptions = { ...base, configPath, dataDir: o.dataDir, redisUrl: undefined, host: '127.0.0.1', port: o.port };
    return await runDaemon(options, config, log, { scheduler: true, workers: true, http: true }, {
      onListening: (url) => out.write(banner(url, news.origin, o.dataDir, config, site.articles.length)),
    });
  } finally {
    await news.close();
  }
}

function banner(url: string, newsOrigin: string, dataDir: string, config: Config, articles: number): string {
  const slug = (publisher: string): string => resolvePublisher(publisher, config.publishers).slug;
  const rows: Array<[string, string]> = [
    [`${url}/`, 'home: the merged stream, each story once, tagged by publisher'],
    [`${url}/feeds/all.xml`, 'the merged feed (also /feeds/all.atom and /feeds/all.json)'],
    [`${url}/category/${slug('中国工业报')}.html`, '中国工业报: the seed article, carried by three feeds in three link forms, shown once'],
    [`${url}/category/${slug('证券时报网')}.html`, '证券时报: pages say 证券时报网, an alias in feeds.yaml files them here'],
    [`${url}/category/${slug('重庆日报')}.html`, '重庆日报: slug by context-aware pinyin (重庆 → chongqing)'],
    [`${url}/category/markets.html`, '证券市场: a GBK feed with GBK pages'],
    [`${url}/category/headlines.html`, '要闻: a JSON list API (kind: json), bodies from a JSON body API'],
    [`${url}/category/enterprise.html`, '企业动态: an HTML list page in GBK (kind: html), relative links'],
    [`${url}/api/sources`, 'each source: state, last fetch, items'],
  ];
  const width = Math.max(...rows.map(([u]) => u.length));
  return [
    '',
    'finews demo: a bundled news site and finews polling it, all on 127.0.0.1; nothing leaves this machine.',
    '',
    `  news site  ${newsOrigin}/  (${config.sources.length} feeds, ${articles} invented articles)`,
    `  finews     ${url}/`,
    `  data       ${dataDir}  (its own store, and the feeds.yaml it runs on)`,
    '',
    'Items appear within seconds. Look at:',
    ...rows.map(([u, what]) => `  ${u.padEnd(width)}  ${what}`),
    '',
    'Ctrl-C stops both.',
    '',
  ].join('\n');
}
