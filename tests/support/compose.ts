import { resolveOptions, type RuntimeOptions } from '../../src/runtime/options.js';

/**
 * Runtime options as the CLI resolves them, for a test's data dir (embedded) or Redis URL
 * and key prefix (Redis mode), from an otherwise empty environment.
 */
export function testOptions(o: { dataDir: string; redisUrl?: string; prefix?: string; configPath?: string }): RuntimeOptions {
  return resolveOptions({ data: o.dataDir, redis: o.redisUrl, config: o.configPath }, o.prefix ? { FINEWS_REDIS_PREFIX: o.prefix } : {});
}
