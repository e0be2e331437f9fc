// Property tests of the gctrace parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only gctrace --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('gctrace properties', () => {
  for (const p of propertiesOf('gctrace')) test(p.name, () => assertProperty(p));
});
