/**
 * Problems found in feeds.yaml, reported compiler-style (`feeds.yaml:12:5: message`).
 */
import { FinewsError } from '../errors.js';

/** One error or warning in a config file, at a 1-based line and column. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}

/**
 * `feeds.yaml:12:5: message`, or `feeds.yaml:12:5: warning: message` for a warning.
 */
export function formatIssue(issue: ConfigIssue, severity: 'error' | 'warning' = 'error'): string {
  const prefix = severity === 'warning' ? 'warning: ' : '';
  return `${issue.file}:${issue.line}:${issue.column}: ${prefix}${issue.message}`;
}

/** Orders issues by file, line, then column. */
export function compareIssues(a: ConfigIssue, b: ConfigIssue): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

/** A config that failed validation; `issues` holds every error found. */
export class ConfigError extends FinewsError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('config-invalid', summarize(issues), { retryable: false });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function summarize(issues: readonly ConfigIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => formatIssue(i));
  const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : '';
  const head = `invalid config (${issues.length} ${issues.length === 1 ? 'error' : 'errors'})`;
  return `${head}:\n${shown.join('\n')}${more}`;
}
