// Property tests of the lines parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only lines --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('lines properties', () => {
  for (const p of propertiesOf('lines')) test(p.name, () => assertProperty(p));
});
