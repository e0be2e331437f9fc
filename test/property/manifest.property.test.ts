// Property tests of the manifest parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only manifest --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('manifest properties', () => {
  for (const p of propertiesOf('manifest')) test(p.name, () => assertProperty(p));
});

// Regression (found by the mutated-manifest property): invalid JSON was a MalformedInputError with no
// byte offset; V8 names none for `Unexpected token` errors, so the parser finds it.
import assert from 'node:assert/strict';
import { MalformedInputError } from '../../shared/errors.js';
import { fromBuffer } from '../../shared/parsers/bytes.js';
import { parseManifest } from '../../shared/parsers/manifest.js';

test('invalid JSON is a MalformedInputError at the byte where it goes wrong', async () => {
  const cases: [string, number][] = [
    ['\u00ff{"repo":"a/b"}', 0], // an invalid token V8 gives no position for
    ['{"repo": x}', 9],
    ['{"repo":"a/b"', 13], // cut: the end
    ['{"r\u00e9po": }', 10], // after a 2-byte character: a byte offset, not a character index
    ['{"repo":"a"} x', 13],
  ];
  for (const [text, byteOffset] of cases) {
    await assert.rejects(parseManifest(fromBuffer(new TextEncoder().encode(text)), { file: 'manifest.json' }), (err: unknown) => {
      assert.ok(err instanceof MalformedInputError);
      assert.deepEqual(err.position, { file: 'manifest.json', byteOffset }, text);
      return true;
    });
  }
});
