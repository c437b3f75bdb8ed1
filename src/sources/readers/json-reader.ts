import type { ParsedFeed } from '../../domain.js';
import { FinewsError } from '../../errors.js';
import { decodeBody } from '../../fetch/decode.js';
import { parseJsonBody } from '../json-body.js';
import { mapRecords, mappingOf, type RecordList } from '../map-records.js';
import type { ReadContext, SourceReader } from '../reader-types.js';
import { describeJsonValue, getPath, walkPath } from '../record-path.js';

/** JSON list APIs (INTERFACE §2a): JSON, JSONP or `var x = {...};`, records at `items`, fields by dot path. */
export const jsonReader: SourceReader = {
  kind: 'json',
  accept: 'application/json, text/javascript;q=0.9, */*;q=0.5',
  async read(body: Buffer, ctx: ReadContext): Promise<ParsedFeed> {
    const mapping = mappingOf(ctx);
    const { text } = decodeBody(body, ctx.contentType);
    const origin = { url: ctx.url, sourceId: ctx.source.id, ...(ctx.contentType === undefined ? {} : { contentType: ctx.contentType }) };
    const { value } = parseJsonBody(text, origin);
    const found = locateRecords(value, mapping.items, ctx);
    const mapped = mapRecords(found.list, { mapping, base: ctx.url, timezone: ctx.timezone, maxItems: ctx.source.maxItems });
    return { items: mapped.items, warnings: [...found.warnings, ...mapped.warnings], skipped: mapped.skipped };
  },
};

/**
 * The records at `path`: an array, or an object whose values are the records.
 * @throws FinewsError `items-not-found` naming the path and the keys found where it stopped.
 */
function locateRecords(body: unknown, path: string, ctx: ReadContext): { list: RecordList; warnings: string[] } {
  const walk = walkPath(body, path);
  const fail = (why: string): FinewsError =>
    new FinewsError('items-not-found', `${why} (in ${ctx.url})`, { url: ctx.url, sourceId: ctx.source.id, retryable: false });
  if (!walk.found) {
    const where = walk.parent === '' ? 'the body' : JSON.stringify(walk.parent);
    throw fail(`items path "${path}" not found; ${where} ${describeJsonValue(walk.holder)}`);
  }
  const value = walk.value;
  if (value === null) return { list: listOf([], path), warnings: [`items path "${path}" is null: no records`] };
  if (Array.isArray(value)) return { list: listOf(value, path), warnings: [] };
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return { list: listOf(entries.map(([, v]) => v), path, entries.map(([k]) => k)), warnings: [] };
  }
  throw fail(`items path "${path}" ${describeJsonValue(value)}, not a list of records`);
}

function listOf(records: unknown[], path: string, keys?: string[]): RecordList {
  const isObject = (r: unknown): r is object => typeof r === 'object' && r !== null && !Array.isArray(r);
  return {
    count: records.length,
    label: (i) => `record ${path}.${keys?.[i] ?? i}`,
    reader: (i) => {
      const record = records[i];
      return isObject(record) ? (entry: string) => getPath(record, entry) : undefined;
    },
    raw: (i) => records[i],
  };
}
