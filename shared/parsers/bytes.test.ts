import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ByteReader, collect, fromBuffer, fromNodeStream, TruncatedInputError } from './bytes.js';

const SAMPLE = new URL('../../test/fixtures/samples/mapstress-boxed/escape-m2.txt', import.meta.url);
const bytes = readFileSync(SAMPLE);
const CHUNK_SIZES = [1, 7, 512, bytes.length];

function sameBytes(actual: Uint8Array, expected: Uint8Array): void {
  assert.ok(Buffer.compare(actual, expected) === 0, `${actual.length} bytes differ from the ${expected.length} expected`);
}

describe('ByteReader', () => {
  for (const size of CHUNK_SIZES) {
    describe(`chunks of ${size}`, () => {
      it('peeks without consuming, reads, and tracks the offset', async () => {
        const r = new ByteReader(fromBuffer(bytes, size), { file: 'escape-m2.txt' });
        sameBytes(await r.peek(11), bytes.subarray(0, 11));
        assert.equal(r.offset, 0);
        sameBytes(await r.read(11), bytes.subarray(0, 11));
        assert.equal(r.offset, 11);
        sameBytes(await r.readExactly(100), bytes.subarray(11, 111));
        await r.skip(1000);
        assert.equal(r.offset, 1111);
        sameBytes(await r.peek(3), bytes.subarray(1111, 1114));
      });

      it('streams exactly n bytes without taking more, then goes on', async () => {
        const r = new ByteReader(fromBuffer(bytes, size));
        await r.skip(5);
        const parts: Uint8Array[] = [];
        for await (const c of r.stream(3000)) parts.push(c);
        sameBytes(Buffer.concat(parts), bytes.subarray(5, 3005));
        assert.equal(r.offset, 3005);
        sameBytes(await collect(r.rest()), bytes.subarray(3005));
        assert.equal(r.offset, bytes.length);
        assert.equal(await r.atEnd(), true);
      });

      it('returns fewer bytes only at the end, and a typed error from readExactly', async () => {
        const r = new ByteReader(fromBuffer(bytes, size), { file: 'escape-m2.txt' });
        await r.skip(bytes.length - 10);
        assert.equal((await r.peek(64)).length, 10);
        await assert.rejects(r.readExactly(64, 'a header'), (err: unknown) => {
          assert.ok(err instanceof TruncatedInputError);
          assert.deepEqual(err.position, { file: 'escape-m2.txt', byteOffset: bytes.length });
          assert.equal(err.reason, 'input ended 54 bytes short of a header');
          return true;
        });
        assert.equal((await r.read(64)).length, 10);
        assert.equal((await r.read(64)).length, 0);
      });

      it('stream(n) past the end throws where the input ended', async () => {
        const r = new ByteReader(fromBuffer(bytes, size), { file: 'x' });
        let got = 0;
        await assert.rejects(
          (async () => {
            for await (const c of r.stream(bytes.length + 5, 'the entry')) got += c.length;
          })(),
          (err: unknown) => err instanceof TruncatedInputError && err.position.byteOffset === bytes.length,
        );
        assert.equal(got, bytes.length);
      });

      it('puts back unused bytes with unread', async () => {
        const r = new ByteReader(fromBuffer(bytes, size));
        const c = (await r.readChunk(50))!;
        await r.skip(20);
        r.unread(bytes.subarray(c.length, c.length + 20));
        assert.equal(r.offset, c.length);
        sameBytes(await collect(r.rest()), bytes.subarray(c.length));
      });
    });
  }

  it('stopping rest() early leaves the reader usable', async () => {
    const r = new ByteReader(fromBuffer(bytes, 100));
    for await (const c of r.rest()) {
      assert.equal(c.length, 100);
      break;
    }
    sameBytes(await r.read(10), bytes.subarray(100, 110));
  });

  it('reads a node stream', async () => {
    const got = await collect(fromNodeStream(createReadStream(SAMPLE, { highWaterMark: 333 })));
    sameBytes(Buffer.from(got), bytes);
  });
});
