/**
 * Chooses the operations the GC timeline plots from a series of perhaps millions: all of them when they
 * fit the budget; else every slow one (duration ≥ slowNs) up to half the budget, the longest first, and
 * an even stride through the others for the rest — so the tail that the causality test is about is
 * always visible, and the body shows its shape. Deterministic: the same events give the same points.
 */
export function sampleOperations(
  events: { startNs: ArrayLike<number>; durationNs: ArrayLike<number> },
  slowNs: number,
  budget: number,
): { startNs: number[]; durationNs: number[] } {
  const n = events.startNs.length;
  let chosen: number[];
  if (n <= budget) {
    chosen = Array.from({ length: n }, (_, i) => i);
  } else {
    const slow: number[] = [];
    const rest: number[] = [];
    for (let i = 0; i < n; i++) (events.durationNs[i]! >= slowNs ? slow : rest).push(i);
    const slowKept = slow.length <= budget / 2 ? slow : slow.sort((a, b) => events.durationNs[b]! - events.durationNs[a]! || a - b).slice(0, Math.floor(budget / 2));
    const room = budget - slowKept.length;
    const strided: number[] = [];
    if (room > 0 && rest.length > 0) {
      const step = rest.length / room;
      for (let k = 0; k < room && Math.floor(k * step) < rest.length; k++) strided.push(rest[Math.floor(k * step)]!);
    }
    chosen = [...slowKept, ...strided];
  }
  chosen.sort((a, b) => events.startNs[a]! - events.startNs[b]! || a - b);
  return { startNs: chosen.map((i) => events.startNs[i]!), durationNs: chosen.map((i) => events.durationNs[i]!) };
}
