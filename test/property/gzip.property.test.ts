// Property tests of the gzip parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only gzip --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('gzip properties', () => {
  for (const p of propertiesOf('gzip')) test(p.name, () => assertProperty(p));
});
