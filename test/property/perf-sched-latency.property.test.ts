// Property tests of the perf-sched-latency parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only perf-sched-latency --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('perf-sched-latency properties', () => {
  for (const p of propertiesOf('perf-sched-latency')) test(p.name, () => assertProperty(p));
});

// Regression (found by `npm run fuzz`: a mutated table with a line of 3,000 spaces took over 5 s): the
// row, TOTAL and INFO regexes backtracked in quadratic-to-cubic time on long runs of blanks; 20,000
// blanks took minutes. Not a timing assertion: the test's timeout is only a hang guard, far above
// what the linear reading takes (milliseconds).
import assert from 'node:assert/strict';
import { fromBuffer } from '../../shared/parsers/bytes.js';
import { parsePerfSchedLatency } from '../../shared/parsers/perf-sched-latency.js';

test('long runs of blanks are read (no catastrophic backtracking) and still give their warnings', { timeout: 30_000 }, async () => {
  const n = 20_000;
  const text = [' '.repeat(n) + 'x', `  a:1 ${' '.repeat(n)}| 1.000 ms | 1 | avg: 1.000 ms | max: 1.000 ms${' '.repeat(n)}x`, `  INFO:${' '.repeat(n)}x`, `  TOTAL: | 1.000 ms | 2 ${' '.repeat(n)}x`, `  b:2 ${' '.repeat(n)}| 1.000 ms | 1 | avg: 1.000 ms | max: 1.000 ms ${' '.repeat(n)}`].join('\n');
  const r = await parsePerfSchedLatency(fromBuffer(new TextEncoder().encode(text)), { file: 's.txt' });
  assert.equal(r.warnings.length, 3);
  assert.deepEqual(r.info, [`INFO:${' '.repeat(n)}x`]);
  assert.deepEqual(r.tasks.map((t) => [t.comm, t.pid]), [['b', 2]]);
});
