// Property tests of the perf-sched-latency parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only perf-sched-latency --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('perf-sched-latency properties', () => {
  for (const p of propertiesOf('perf-sched-latency')) test(p.name, () => assertProperty(p));
});
