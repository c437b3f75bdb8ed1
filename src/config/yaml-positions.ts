/**
 * Where things are in a parsed YAML document: from a data path (`['sources', 2, 'every']`)
 * to the line and column of the node that wrote it, and duplicate keys found by walking
 * every mapping.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

export type DataPath = readonly PropertyKey[];

/** A located YAML node: the node holding a value, and the key node naming it (in a mapping). */
interface Located {
  node: Node | null;
  key: Node | null;
}

/** Finds nodes of one document by data path and turns offsets into positions. */
export class YamlPositions {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /** Line and column of a character offset. */
  at(offset: number): Position {
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * Position of the value at `path`. When the path does not exist (a missing key), the
   * position of the deepest existing ancestor: preferably the key that names it, so a
   * missing `site.title` points at `site:`.
   */
  valueAt(path: DataPath): Position {
    const found = this.#walk(path);
    const last = found[found.length - 1];
    if (found.length === path.length + 1 && last?.node) return this.#start(last.node);
    for (let i = found.length - 1; i >= 0; i--) {
      const step = found[i];
      if (step?.key) return this.#start(step.key);
      if (step?.node) return this.#start(step.node);
    }
    return { line: 1, column: 1 };
  }

  /** Position of the key that names `path` (falls back to {@link valueAt}). */
  keyAt(path: DataPath): Position {
    const found = this.#walk(path);
    const last = found[found.length - 1];
    if (found.length === path.length + 1 && last?.key) return this.#start(last.key);
    return this.valueAt(path);
  }

  /** The steps of `path` that exist: index 0 is the document root. */
  #walk(path: DataPath): Located[] {
    const root = this.#resolve(this.#doc.contents);
    const steps: Located[] = [{ node: root, key: null }];
    let node: Node | null = root;
    for (const segment of path) {
      if (node === null) break;
      let next: Located | null = null;
      if (isMap(node)) {
        // The last pair with a repeated key wins in the data, so point there too.
        const chosen = node.items.findLast((p) => keyText(p.key) === String(segment));
        if (chosen) next = { node: this.#resolve(asNode(chosen.value)), key: asNode(chosen.key) };
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item !== undefined) next = { node: this.#resolve(asNode(item)), key: null };
      }
      if (next === null) break;
      steps.push(next);
      node = next.node;
    }
    return steps;
  }

  #resolve(node: Node | null | undefined): Node | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.#doc);
      return target ?? node;
    }
    return node;
  }

  #start(node: Node): Position {
    return this.at(node.range?.[0] ?? 0);
  }
}

/** A duplicate key in some mapping of the document. */
export interface DuplicateKey {
  key: string;
  /** Offset of the repeated key. */
  offset: number;
  /** Offset of the first occurrence. */
  firstOffset: number;
}

/** Every key that appears twice in one mapping (merge keys `<<` excepted). */
export function findDuplicateKeys(doc: Document): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const seen = new Set<Node>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node as Node)) return;
    if (isMap(node)) {
      seen.add(node);
      const first = new Map<string, number>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        const offset = asNode(pair.key)?.range?.[0] ?? 0;
        if (key !== undefined && key !== '<<') {
          const before = first.get(key);
          if (before === undefined) first.set(key, offset);
          else out.push({ key, offset, firstOffset: before });
        }
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      seen.add(node);
      for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  return out;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function asNode(value: unknown): Node | null {
  if (value !== null && typeof value === 'object' && 'range' in value) return value as Node;
  return null;
}
