import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';
import type { ParsedFeed } from '../../domain.js';
import { FinewsError } from '../../errors.js';
import { decodeBody } from '../../fetch/decode.js';
import { assertHtmlWithinBudget, LIST_MARKUP_BUDGET } from '../../util/complexity.js';
import { collapseWhitespace, truncate } from '../../util/html.js';
import { absoluteHttpUrl } from '../../util/url.js';
import { mapRecords, mappingOf, type RecordList } from '../map-records.js';
import type { ReadContext, SourceReader } from '../reader-types.js';
import { parseSelectorRule, type SelectorRule } from '../selector.js';

/** HTML list pages (INTERFACE §2a): records by CSS selector, fields as `sel`, `sel@attr`, `@attr`. */
export const htmlReader: SourceReader = {
  kind: 'html',
  accept: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5',
  async read(body: Buffer, ctx: ReadContext): Promise<ParsedFeed> {
    const mapping = mappingOf(ctx);
    const { text, warnings: charsetWarnings = [] } = decodeBody(body, ctx.contentType);
    const fail = (code: 'not-a-feed' | 'items-not-found', why: string): FinewsError =>
      new FinewsError(code, why, { url: ctx.url, sourceId: ctx.source.id, retryable: false });
    const head = text.trimStart().slice(0, 1);
    if (head === '{' || head === '[') throw fail('not-a-feed', `not an HTML page: ${ctx.url} answered JSON; for a JSON API set kind: json`);
    if (text.trim() === '') throw fail('not-a-feed', `not an HTML page: ${ctx.url} answered an empty body`);

    assertHtmlWithinBudget(text, ctx.url, LIST_MARKUP_BUDGET);
    const $ = cheerio.load(text);
    const baseHref = $('base[href]').first().attr('href');
    const base = (baseHref === undefined ? undefined : absoluteHttpUrl(baseHref, ctx.url)) ?? ctx.url;
    const records = $(mapping.items).toArray().filter((n): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style');
    if (records.length === 0) {
      const title = collapseWhitespace($('title').first().text());
      const about = title ? `page title ${JSON.stringify(truncate(title, 40))}, ` : '';
      throw fail('items-not-found', `items selector "${mapping.items}" matched nothing in ${ctx.url} (${about}${$('*').length} elements)`);
    }

    const rules = new Map<string, SelectorRule>();
    const ruleOf = (entry: string): SelectorRule => {
      let rule = rules.get(entry);
      if (rule === undefined) {
        rule = parseSelectorRule(entry);
        rules.set(entry, rule);
      }
      return rule;
    };
    const list: RecordList = {
      count: records.length,
      label: (i) => `record ${i + 1} of "${mapping.items}"`,
      reader: (i) => {
        const record = $(records[i]);
        return (entry: string) => {
          const rule = ruleOf(entry);
          const target = rule.selector === '' ? record : record.find(rule.selector).first();
          if (target.length === 0) return undefined;
          return rule.attr === undefined ? collapseWhitespace(target.text()) : target.attr(rule.attr);
        };
      },
    };
    const mapped = mapRecords(list, { mapping, base, timezone: ctx.timezone, maxItems: ctx.source.maxItems });
    return { items: mapped.items, warnings: [...charsetWarnings, ...mapped.warnings], skipped: mapped.skipped };
  },
};
