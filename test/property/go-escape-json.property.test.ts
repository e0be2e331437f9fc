// Property tests of the go-escape-json parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only go-escape-json --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('go-escape-json properties', () => {
  for (const p of propertiesOf('go-escape-json')) test(p.name, () => assertProperty(p));
});
