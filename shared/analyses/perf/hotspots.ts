import type { FunctionWeight } from '../../model/report.js';

/**
 * Top functions of a set of folded stacks (`root;...;leaf` → weight), as `perf report` ranks them:
 * `self` is the weight of stacks a function is the leaf of; `total` the weight of stacks it appears
 * in at all (counted once per stack, so recursion does not inflate it).
 */
export interface TopFunctionsOptions {
  /** Leading stack elements that are not functions (the process name of perf folds): skipped. */
  skipFrames?: number;
  /** How many functions to keep, by self then total. Default 25. */
  limit?: number;
}

export function topFunctions(stacks: Iterable<[string, number]>, opts: TopFunctionsOptions = {}): FunctionWeight[] {
  const skip = opts.skipFrames ?? 0;
  const weights = new Map<string, { self: number; total: number }>();
  const seen = new Set<string>();
  const entry = (name: string) => {
    let w = weights.get(name);
    if (!w) weights.set(name, (w = { self: 0, total: 0 }));
    return w;
  };
  for (const [stack, weight] of stacks) {
    const frames = stack.split(';');
    if (frames.length <= skip) continue;
    seen.clear();
    for (let i = skip; i < frames.length; i++) {
      const name = frames[i]!;
      if (seen.has(name)) continue;
      seen.add(name);
      entry(name).total += weight;
    }
    entry(frames[frames.length - 1]!).self += weight;
  }
  const ranked = [...weights].map(([name, w]) => ({ name, self: w.self, total: w.total }));
  ranked.sort((a, b) => b.self - a.self || b.total - a.total || (a.name < b.name ? -1 : 1));
  const limit = opts.limit ?? 25;
  const bySelf = ranked.slice(0, limit);
  // Also keep the heaviest callers by total (main.main, the loop) that never are leaves.
  const byTotal = [...ranked].sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1)).slice(0, limit);
  const kept = new Map(bySelf.map((f) => [f.name, f]));
  for (const f of byTotal) kept.set(f.name, f);
  return [...kept.values()];
}
