import { CONFIG_DEFAULTS } from '../config/defaults.js';
import type { PolitenessConfig } from '../domain.js';

/** Politeness rules, fixed or read on every request (a getter follows hot reloads). */
export type PolitenessSource = PolitenessConfig | (() => PolitenessConfig);

/** Defaults of the `politeness:` block of feeds.yaml. */
export const DEFAULT_POLITENESS: PolitenessConfig = { ...CONFIG_DEFAULTS.politeness };

/** What one host is held to: its `politeness.hosts` entry, else the global rules. */
export interface HostRules {
  perHostConcurrency: number;
  minSpacingMs: number;
}

/**
 * The rules in force now for `host` (when given), sanitized: concurrency ≥ 1, spacing ≥ 0.
 * A host's own entry in `hosts` (keys lower-cased at load) wins over the global rules.
 */
export function currentRules(source: PolitenessSource, host?: string): HostRules {
  const all = typeof source === 'function' ? source() : source;
  const own = host === undefined || all.hosts === undefined ? undefined : hostEntry(all.hosts, host);
  const rules = own ?? all;
  return {
    perHostConcurrency: Math.max(1, Math.floor(rules.perHostConcurrency || DEFAULT_POLITENESS.perHostConcurrency)),
    minSpacingMs: Math.max(0, Math.floor(rules.minSpacingMs ?? DEFAULT_POLITENESS.minSpacingMs)),
  };
}

function hostEntry(hosts: NonNullable<PolitenessConfig['hosts']>, host: string): HostRules | undefined {
  const key = host.toLowerCase().replace(/\.$/, '');
  return Object.hasOwn(hosts, key) ? hosts[key] : undefined;
}
