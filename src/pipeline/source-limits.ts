import type { SourceConfig } from '../domain.js';
import type { FetchRequest } from './ports.js';

/** The request settings every fetch made for a source shares: its list, its pages and its body API. */
export function sourceLimits(source: SourceConfig): Pick<FetchRequest, 'timeoutMs' | 'maxBytes' | 'userAgent' | 'allowPrivateNetworks'> {
  return { timeoutMs: source.timeoutMs, maxBytes: source.maxBytes, userAgent: source.userAgent, allowPrivateNetworks: source.allowPrivateNetworks };
}
