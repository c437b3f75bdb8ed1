import type { PolitenessConfig } from '../domain.js';

/** Politeness rules, fixed or read on every request (a getter follows hot reloads). */
export type PolitenessSource = PolitenessConfig | (() => PolitenessConfig);

/** Defaults of INTERFACE's `politeness:` block. */
export const DEFAULT_POLITENESS: PolitenessConfig = { perHostConcurrency: 2, minSpacingMs: 500 };

/** The rules in force now, sanitized: concurrency ≥ 1, spacing ≥ 0. */
export function currentRules(source: PolitenessSource): PolitenessConfig {
  const rules = typeof source === 'function' ? source() : source;
  return {
    perHostConcurrency: Math.max(1, Math.floor(rules.perHostConcurrency || DEFAULT_POLITENESS.perHostConcurrency)),
    minSpacingMs: Math.max(0, Math.floor(rules.minSpacingMs ?? DEFAULT_POLITENESS.minSpacingMs)),
  };
}
