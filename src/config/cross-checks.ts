/**
 * Checks that span more than one field or need the resolved config: unique source ids,
 * per-kind source rules, category and publisher slugs, alias rules (errors, on the raw data
 * so they are reported beside the schema's), and the warnings of a valid config.
 */
import { ALL_SLUG, type Config } from '../domain.js';
import { resolvePublisher } from '../tagging/publisher.js';
import type { ConfigIssue } from './issues.js';
import { closest, pathText, type At } from './messages.js';
import { SLUG_PATTERN, type RawConfig } from './schema.js';
import { sourceKindProblems } from './source-checks.js';
import type { Position, YamlPositions } from './yaml-positions.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks that span more than one field, run on the raw data so they are reported even
 * when the schema found other problems.
 */
export function crossCheck(data: unknown, pos: YamlPositions, at: At): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (!isRecord(data)) return out;

  // Source ids are unique; the repeat is the mistake.
  if (Array.isArray(data.sources)) {
    const firstAt = new Map<string, number>();
    data.sources.forEach((source: unknown, i: number) => {
      if (!isRecord(source) || typeof source.id !== 'string') return;
      const id = source.id.trim();
      const first = firstAt.get(id);
      if (first === undefined) {
        firstAt.set(id, i);
        return;
      }
      const firstLine = pos.valueAt(['sources', first, 'id']).line;
      out.push(at(pos.valueAt(['sources', i, 'id']), `sources[${i}].id: duplicate source id "${id}" (first used at line ${firstLine})`));
    });
  }

  if (Array.isArray(data.sources)) {
    data.sources.forEach((source: unknown, i: number) => {
      for (const p of sourceKindProblems(source, i)) out.push(at(p.key ? pos.keyAt(p.path) : pos.valueAt(p.path), p.message));
    });
  }

  // Category slugs are keys, which the schema does not see one by one.
  if (isRecord(data.categories)) {
    for (const key of Object.keys(data.categories)) {
      const p = pos.keyAt(['categories', key]);
      if (key === ALL_SLUG) out.push(at(p, `categories: "all" is reserved for the merged feed of everything`));
      else if (!SLUG_PATTERN.test(key)) out.push(at(p, `categories: category slug "${key}" may only use a-z, 0-9 and - (write e.g. industry: { title: ${key} })`));
    }
  }

  if (isRecord(data.publishers)) {
    const publishers = data.publishers;
    for (const [name, entry] of Object.entries(publishers)) {
      if (name.trim() === '') out.push(at(pos.keyAt(['publishers', name]), 'publishers: publisher name must not be empty'));
      if (!isRecord(entry)) continue;
      const { slug, alias } = entry;
      const where = pathText(['publishers', name]);
      if (slug === ALL_SLUG) {
        out.push(at(pos.valueAt(['publishers', name, 'slug']), `${where}.slug: "all" is reserved for the merged feed of everything`));
      }
      if (typeof alias !== 'string') continue;
      const target = alias.trim();
      const aliasAt = pos.valueAt(['publishers', name, 'alias']);
      if (slug !== undefined) {
        out.push(at(pos.keyAt(['publishers', name, 'slug']), `${where}: give either slug or alias, not both (items of an alias take the category of "${target}")`));
      }
      if (target === name.trim()) {
        out.push(at(aliasAt, `${where}.alias: a publisher cannot be an alias of itself`));
        continue;
      }
      const targetEntry = Object.hasOwn(publishers, target) ? publishers[target] : undefined;
      if (isRecord(targetEntry) && typeof targetEntry.alias === 'string') {
        out.push(
          at(aliasAt, `${where}.alias: "${target}" is itself an alias of "${targetEntry.alias.trim()}"; aliases are followed once, so write alias: ${targetEntry.alias.trim()}`),
        );
      }
    }
  }
  return out;
}

/** A publisher the config names, after aliases, with its category slug, where it first appears. */
interface PublisherMention {
  name: string;
  slug: string;
  at: Position;
}

/**
 * Every publisher the config names (entries of `publishers:` and sources' fixed
 * `publisher`), resolved as tagging resolves them, first mention first.
 */
function publisherMentions(raw: RawConfig, config: Config, pos: YamlPositions): PublisherMention[] {
  const mention = (name: string, at: Position): PublisherMention => {
    const resolved = resolvePublisher(name, config.publishers);
    return { name: resolved.name, slug: resolved.slug, at };
  };
  const mentions: PublisherMention[] = [];
  for (const [name, entry] of Object.entries(raw.publishers ?? {})) {
    const alias = entry?.alias?.trim();
    const aliased = alias !== undefined && alias !== '';
    mentions.push(mention(name, aliased ? pos.valueAt(['publishers', name, 'alias']) : pos.keyAt(['publishers', name])));
  }
  (raw.sources ?? []).forEach((s, i) => {
    if (s.publisher !== undefined) mentions.push(mention(s.publisher, pos.valueAt(['sources', i, 'publisher'])));
  });
  mentions.sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column);
  const seen = new Set<string>();
  return mentions.filter((m) => (seen.has(m.name) ? false : (seen.add(m.name), true)));
}

/** Warnings about a valid config: shared publisher slugs, nothing to fetch, untitled categories. */
export function warnings(raw: RawConfig, config: Config, pos: YamlPositions, at: At): ConfigIssue[] {
  const out: ConfigIssue[] = [];

  // Two publishers in one category is almost never meant: their items would mix.
  const bySlug = new Map<string, PublisherMention>();
  const publisherSlugs = new Set<string>();
  for (const mention of publisherMentions(raw, config, pos)) {
    const slug = mention.slug;
    publisherSlugs.add(slug);
    const first = bySlug.get(slug);
    if (first === undefined) {
      bySlug.set(slug, mention);
      continue;
    }
    out.push(
      at(
        mention.at,
        `publishers "${first.name}" (line ${first.at.line}) and "${mention.name}" both get the category slug "${slug}" and will share one category; give one of them its own slug under publishers:`,
      ),
    );
  }

  if (config.sources.length === 0) {
    out.push(at(pos.keyAt(['sources']), 'sources: no sources configured; nothing will be fetched'));
  } else if (config.sources.every((s) => !s.enabled)) {
    out.push(at(pos.keyAt(['sources']), 'sources: every source is disabled; nothing will be fetched'));
  }

  // A source category without a title may be a typo of one that has a title.
  const titled = Object.keys(config.categories);
  (raw.sources ?? []).forEach((s, i) => {
    (s.categories ?? []).forEach((slug, j) => {
      if (Object.hasOwn(config.categories, slug) || publisherSlugs.has(slug)) return;
      const guess = closest(slug, titled);
      const hint = guess !== undefined ? ` (did you mean "${guess}"?)` : '';
      out.push(at(pos.valueAt(['sources', i, 'categories', j]), `sources[${i}].categories[${j}]: category "${slug}" has no title under categories:, so its title will be "${slug}"${hint}`));
    });
  });
  return out;
}
