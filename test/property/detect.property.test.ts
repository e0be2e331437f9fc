// Property tests of the detect parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only detect --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('detect properties', () => {
  for (const p of propertiesOf('detect')) test(p.name, () => assertProperty(p));
});
