// Property tests of the folded parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only folded --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('folded properties', () => {
  for (const p of propertiesOf('folded')) test(p.name, () => assertProperty(p));
});
