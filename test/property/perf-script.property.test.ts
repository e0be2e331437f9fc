// Property tests of the perf-script parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only perf-script --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('perf-script properties', () => {
  for (const p of propertiesOf('perf-script')) test(p.name, () => assertProperty(p));
});
