// Property tests of the archive parser (test/helpers/fuzz/properties.ts): fixed seed, bounded runs.
// More runs, another seed: `npm run fuzz -- --only archive --runs 100000 [--seed S]`.
import { describe, test } from 'node:test';
import { assertProperty, propertiesOf } from '../helpers/fuzz/run.js';

describe('archive properties', () => {
  for (const p of propertiesOf('archive')) test(p.name, () => assertProperty(p));
});

// Regression (found by the mutated-archive property): a zip entry with an empty name that was cut
// short threw a MalformedInputError naming the file "" — no place at all. It is labelled as in tar.
import assert from 'node:assert/strict';
import { MalformedInputError } from '../../shared/errors.js';
import { fromBuffer } from '../../shared/parsers/bytes.js';
import { readArchive } from '../../shared/parsers/archive/index.js';

test('a truncated zip entry without a name is reported under a label, with its offset', async () => {
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(1000, 18); // stored, 1000 bytes, of which only 10 follow
  local.writeUInt32LE(1000, 22);
  const zip = Buffer.concat([local, Buffer.alloc(10, 0x61)]);
  await assert.rejects(
    (async () => {
      for await (const e of readArchive(fromBuffer(zip), { name: 'up.zip' })) for await (const _ of e.body) void _;
    })(),
    (err: unknown) => {
      assert.ok(err instanceof MalformedInputError, String(err));
      assert.equal(err.position.file, '[entry 1]');
      assert.equal(typeof err.position.byteOffset, 'number');
      return true;
    },
  );
});
