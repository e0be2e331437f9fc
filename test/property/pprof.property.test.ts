// Property tests of the pprof parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only pprof --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('pprof properties', () => {
  for (const p of propertiesOf('pprof')) test(p.name, () => assertProperty(p));
});
