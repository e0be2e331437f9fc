import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleOperations } from './timeline-points.js';

/** n operations one every 1000 ns; durations from `dur(i)`. */
function series(n: number, dur: (i: number) => number) {
  return { startNs: Array.from({ length: n }, (_, i) => 1_000_000 + i * 1000), durationNs: Array.from({ length: n }, (_, i) => dur(i)) };
}

describe('sampleOperations', () => {
  it('keeps every operation when they fit the budget, by start time', () => {
    const s = { startNs: [30, 10, 20], durationNs: [3, 1, 2] };
    assert.deepEqual(sampleOperations(s, 2, 10), { startNs: [10, 20, 30], durationNs: [1, 2, 3] });
  });

  it('over budget: every slow operation, then an even stride through the rest, exactly the budget', () => {
    // 10 000 operations, every 100th slow (100 of them): budget 600 → 100 slow + 500 of the others.
    const s = series(10_000, (i) => (i % 100 === 99 ? 50_000 : 1_000 + (i % 7)));
    const out = sampleOperations(s, 50_000, 600);
    assert.equal(out.startNs.length, 600);
    assert.equal(out.durationNs.filter((d) => d >= 50_000).length, 100, 'all slow ones');
    const fast = out.startNs.filter((_, k) => out.durationNs[k]! < 50_000);
    assert.equal(fast.length, 500);
    // The stride covers the whole span: first and last tenth both represented.
    assert.ok(fast[0]! < 1_000_000 + 1_000 * 1000);
    assert.ok(fast.at(-1)! > 1_000_000 + 9_000 * 1000);
    for (let k = 1; k < out.startNs.length; k++) assert.ok(out.startNs[k]! > out.startNs[k - 1]!, 'sorted by start, no duplicates');
  });

  it('more slow operations than half the budget: the longest of them, and the stride fills the other half', () => {
    const s = series(5_000, (i) => (i % 2 === 0 ? 10_000 + i : 100));
    const out = sampleOperations(s, 10_000, 100);
    assert.equal(out.startNs.length, 100);
    const slow = out.durationNs.filter((d) => d >= 10_000).sort((a, b) => b - a);
    assert.equal(slow.length, 50);
    assert.equal(slow[0], 10_000 + 4_998, 'the longest first');
    assert.equal(slow.at(-1), 10_000 + 4_998 - 49 * 2);
  });

  it('is deterministic and handles an empty series', () => {
    const s = series(3_000, (i) => (i * 7919) % 10_007);
    assert.deepEqual(sampleOperations(s, 9_000, 300), sampleOperations(s, 9_000, 300));
    assert.deepEqual(sampleOperations({ startNs: [], durationNs: [] }, 1, 10), { startNs: [], durationNs: [] });
  });
});
