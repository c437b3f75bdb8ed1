/**
 * Loading feeds.yaml from disk. Parsing lives in parse.ts, the wording of issues in
 * messages.ts, checks across fields in cross-checks.ts and defaults in resolve.ts; this
 * module is what the rest of finews imports.
 */
import { readFile } from 'node:fs/promises';
import type { Config } from '../domain.js';
import { ConfigError } from './issues.js';
import { readProblem } from './messages.js';
import { failed, parseConfig, type ConfigResult, type ParseOptions } from './parse.js';

export { ConfigError, formatIssue, formatWarning, type ConfigIssue } from './issues.js';
export { parseConfig, type ConfigResult, type ParseOptions } from './parse.js';
export { publisherNames } from './resolve.js';
export { CONFIG_DEFAULTS } from './defaults.js';

/**
 * Reads and parses a config file. A missing or unreadable file is an error at 1:1 naming
 * the path.
 */
export async function loadConfigFile(path: string, opts: ParseOptions = {}): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return failed([{ file: path, line: 1, column: 1, message: `cannot read config file ${path}: ${readProblem(err)}` }], []);
  }
  return parseConfig(text, path, opts);
}

/** Loads a config file, throwing a {@link ConfigError} with every issue when it is invalid. */
export async function loadConfigOrThrow(path: string, opts: ParseOptions = {}): Promise<Config> {
  const result = await loadConfigFile(path, opts);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}
