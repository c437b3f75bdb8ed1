/**
 * Durations (`500ms`, `90s`, `10m`, `1h`, `1d`, `1h30m`) and sizes (`512KB`, `10MB`, `1GB`,
 * or a plain number of bytes) as written in feeds.yaml.
 */

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** What a duration may look like, for error messages. */
export const DURATION_HINT = 'use a number with a unit ms, s, m, h or d, e.g. 500ms, 90s, 10m, 1h, 1d';

/** What a size may look like, for error messages. */
export const SIZE_HINT = 'use a number with a unit B, KB, MB or GB (1KB = 1024 bytes), e.g. 512KB, 10MB, or a plain number of bytes';

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Milliseconds of a duration such as `90s`, `10m`, `1h30m` or `500ms`; `undefined` when the
 * text is not one. Parts must run from larger to smaller units (`1h30m`, not `30m1h`).
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (s === '0') return 0;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let lastUnit = Number.POSITIVE_INFINITY;
  let pos = 0;
  while (pos < s.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(s);
    if (m === null) return undefined;
    const unit = DURATION_UNITS_MS[m[2] ?? ''];
    if (unit === undefined || unit >= lastUnit) return undefined;
    lastUnit = unit;
    total += Number(m[1]) * unit;
    pos = DURATION_PART.lastIndex;
  }
  return Math.round(total);
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  k: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  g: 1024 ** 3,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/**
 * Bytes of a size such as `512KB`, `10MB`, `1GB` (1024-based, unit case-insensitive) or a
 * plain whole number of bytes; `undefined` when the input is not one.
 */
export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : undefined;
  const m = SIZE.exec(input.trim());
  if (m === null) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase() || 'b'];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A duration in ms written back the way feeds.yaml would say it (`600000` → `10m`). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of Object.entries(DURATION_UNITS_MS).reverse()) {
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
