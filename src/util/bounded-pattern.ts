import safeRegex from 'safe-regex2';

/**
 * Longest text a configured pattern is run on, in characters. Links and guids come from
 * feeds: a 1 MB guid must not turn even a polynomial pattern into minutes of work.
 */
export const MAX_PATTERN_INPUT = 2048;

/**
 * True when `pattern` has no nested quantifier such as `(a+)+` (exponential backtracking)
 * and at most 25 repetitions, by safe-regex2's star-height check. Constructs it cannot
 * parse count as unsafe.
 */
export function isBoundedPattern(pattern: string): boolean {
  return safeRegex(pattern);
}
