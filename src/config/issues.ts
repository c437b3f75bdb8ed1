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

/** `feeds.yaml:12:5: message` (safe to pass straight to `Array.prototype.map`). */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** `feeds.yaml:12:5: warning: message`. */
export function formatWarning(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: warning: ${issue.message}`;
}

/** Orders issues by file, line, then column. */
export function compareIssues(a: ConfigIssue, b: ConfigIssue): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

/** A config that failed validation; `issues` holds every error found. */
export class ConfigError extends FinewsError {
  readonly issues: readonly ConfigIssue[];

  /** The message defaults to a summary listing the first issues. */
  constructor(issues: readonly ConfigIssue[]);
  constructor(message: string, issues: readonly ConfigIssue[]);
  constructor(messageOrIssues: string | readonly ConfigIssue[], maybeIssues: readonly ConfigIssue[] = []) {
    const issues = typeof messageOrIssues === 'string' ? maybeIssues : messageOrIssues;
    super('config-invalid', typeof messageOrIssues === 'string' ? messageOrIssues : summarize(issues), { retryable: false });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function summarize(issues: readonly ConfigIssue[]): string {
  const shown = issues.slice(0, 5).map(formatIssue);
  const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : '';
  const head = `invalid config (${issues.length} ${issues.length === 1 ? 'error' : 'errors'})`;
  return `${head}:\n${shown.join('\n')}${more}`;
}
