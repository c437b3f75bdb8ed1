/**
 * `finews check`: validates feeds.yaml and reports like a compiler (INTERFACE §4).
 */
import { formatIssue, formatWarning, loadConfigFile, publisherNames } from '../config/load.js';
import type { RuntimeOptions } from '../runtime/options.js';

/** Where check writes: `out` for the summary, `err` for errors and warnings. */
export interface CheckIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/**
 * Validates the config file at `configPath`. Invalid: every error as `file:line:col: message`
 * on `err`, then a count, and returns 1. Valid: any warnings as
 * `file:line:col: warning: message` on `err`, a one-line summary on `out`
 * (`feeds.yaml: ok — 3 sources (3 enabled), 2 publishers, 1 category`), and returns 0.
 */
export async function checkCommand(options: Pick<RuntimeOptions, 'configPath' | 'defaultSiteUrl'>, io: CheckIo): Promise<number> {
  const { configPath } = options;
  const result = await loadConfigFile(configPath, { defaultSiteUrl: options.defaultSiteUrl });
  if (!result.ok) {
    for (const issue of result.errors) io.err(formatIssue(issue));
    for (const issue of result.warnings) io.err(formatWarning(issue));
    io.err(`${configPath}: ${count(result.errors.length, 'error')}`);
    return 1;
  }
  for (const issue of result.warnings) io.err(formatWarning(issue));
  const { config } = result;
  const enabled = config.sources.filter((s) => s.enabled).length;
  const parts = [
    `${count(config.sources.length, 'source')} (${enabled} enabled)`,
    count(publisherNames(config).length, 'publisher'),
    count(Object.keys(config.categories).length, 'category', 'categories'),
  ];
  if (result.warnings.length > 0) parts.push(count(result.warnings.length, 'warning'));
  io.out(`${configPath}: ok — ${parts.join(', ')}`);
  return 0;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
