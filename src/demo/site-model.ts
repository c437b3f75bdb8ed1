/**
 * The bundled demo news site as data: demo/site.yaml read and checked. The renderers
 * (render-site.ts) turn it into pages and feeds; the server (news-site.ts) serves them.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { FinewsError } from '../errors.js';

/**
 * Formats a demo feed can be written in: feeds, a JSON list API (Eastmoney's getNewsByColumns
 * shape) and an HTML list page. A new one is a renderer in render-site.ts plus its name here.
 */
export const DEMO_FEED_FORMATS = ['rss', 'atom', 'rdf', 'json', 'html'] as const;

const charset = z.enum(['utf-8', 'gbk']);

const feedSchema = z.strictObject({
  path: z.string().startsWith('/'),
  format: z.enum(DEMO_FEED_FORMATS),
  charset: charset.default('utf-8'),
  title: z.string().min(1),
  /**
   * Link form of the feed's items; `{code}` is the article's code. Absolute on the site
   * (`/a/{code}.html`), or relative to the list page in an html one (`../a/{code}.html`).
   */
  link: z.string().includes('{code}'),
});

const articleSchema = z.strictObject({
  code: z.string().regex(/^\d{17,18}$/),
  title: z.string().min(1),
  publisher: z.string().min(1),
  /** Local time in Asia/Shanghai, `YYYY-MM-DD HH:MM:SS`. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  author: z.string().optional(),
  charset: charset.default('utf-8'),
  in: z.array(z.string()).min(1),
  paragraphs: z.array(z.string().min(1)).min(1),
});

const siteSchema = z.strictObject({
  feeds: z.record(z.string(), feedSchema),
  articles: z.array(articleSchema).min(1),
});

export type DemoFeed = z.output<typeof feedSchema> & { id: string };
export type DemoArticle = z.output<typeof articleSchema>;

export interface DemoSite {
  feeds: DemoFeed[];
  articles: DemoArticle[];
  /** Files under demo/static, by URL path, served instead of anything generated. */
  staticDir: string;
}

/** The demo/ folder of the package, from src/demo (tsx) or dist/src/demo (built). */
export function demoDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const dir = path.resolve(here, up, 'demo');
    if (existsSync(path.join(dir, 'site.yaml'))) return dir;
  }
  throw new FinewsError('config-invalid', `demo: the bundled demo/ folder (demo/site.yaml) is missing next to ${here}`);
}

/** Reads and checks demo/site.yaml: unique codes, and every `in:` naming a feed. */
export async function loadDemoSite(dir = demoDir()): Promise<DemoSite> {
  const file = path.join(dir, 'site.yaml');
  const parsed = siteSchema.safeParse(parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new FinewsError('config-invalid', `${file}: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`);
  }
  const { feeds, articles } = parsed.data;
  const seen = new Set<string>();
  for (const a of articles) {
    if (seen.has(a.code)) throw new FinewsError('config-invalid', `${file}: article ${a.code} appears twice`);
    seen.add(a.code);
    for (const id of a.in) {
      if (!Object.hasOwn(feeds, id)) throw new FinewsError('config-invalid', `${file}: article ${a.code} is in unknown feed "${id}"`);
    }
  }
  return {
    feeds: Object.entries(feeds).map(([id, f]) => ({ id, ...f })),
    articles,
    staticDir: path.join(dir, 'static'),
  };
}
