/**
 * `fn` with its results kept by argument, for a pure function asked again and again for
 * few distinct arguments. At most `max` are kept: past that (hostile or unusual input)
 * the memo starts over, so it never grows with the store.
 */
export function boundedMemo<A, R>(fn: (arg: A) => R, max: number): (arg: A) => R {
  const kept = new Map<A, R>();
  return (arg) => {
    if (kept.has(arg)) return kept.get(arg) as R;
    const result = fn(arg);
    if (kept.size >= max) kept.clear();
    kept.set(arg, result);
    return result;
  };
}
