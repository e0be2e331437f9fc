import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedInputError } from '../../errors.js';
import { TruncatedInputError } from '../bytes.js';
import { I32, I64, LEN, ProtoReader, VARINT } from './wire.js';
import { ProtoWriter } from './wire-writer.js';

const reader = (...bytes: number[]) => new ProtoReader(Uint8Array.from(bytes), 'w.pb');

function offsetOf(fn: () => unknown): { offset: number | undefined; err: MalformedInputError } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MalformedInputError, `not a MalformedInputError: ${String(err)}`);
    return { offset: err.position.byteOffset, err };
  }
  assert.fail('no error');
}

describe('pprof wire reader', () => {
  it('reads 1-, 2- and multi-byte varints', () => {
    const r = reader(0x00, 0x7f, 0x96, 0x01, 0xff, 0x7f, 0x80, 0x80, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10);
    const end = r.length;
    assert.equal(r.uint(end), 0);
    assert.equal(r.uint(end), 127);
    assert.equal(r.uint(end), 150);
    assert.equal(r.uint(end), 16383);
    assert.equal(r.uint(end), 16384);
    assert.equal(r.uint(end), 2 ** 32);
    assert.equal(r.pos, end);
  });

  it('reads negative int64 (10-byte varints) exactly and uint64 as bigint', () => {
    for (const v of [-1, -2, -300, -(2 ** 31), -(2 ** 32) - 5, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 2 ** 31, 2 ** 32 + 7]) {
      const w = new ProtoWriter().rawVarint(v).finish();
      if (v < 0) assert.equal(w.length, 10);
      const r = new ProtoReader(w, 'w');
      assert.equal(r.int64(w.length), v, `int64 ${v}`);
    }
    const max = new ProtoWriter().rawVarint(2n ** 64n - 1n).finish();
    assert.equal(new ProtoReader(max, 'w').uint64(max.length), 2n ** 64n - 1n);
    assert.equal(new ProtoReader(max, 'w').int64(max.length), -1);
    const big = new ProtoWriter().rawVarint(0xffffffffff600000n).finish();
    assert.equal(new ProtoReader(big, 'w').uint64(big.length), 0xffffffffff600000n);
    assert.equal(new ProtoReader(big, 'w').id(big.length), '18446744073699065856');
  });

  it('refuses a varint of more than 10 bytes, and one cut by its message or the input', () => {
    const eleven = reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    const a = offsetOf(() => eleven.uint(eleven.length));
    assert.equal(a.offset, 0);
    assert.match(a.err.reason, /more than 10 bytes/);

    const cut = reader(0x08, 0x96);
    cut.pos = 1;
    const b = offsetOf(() => cut.uint(cut.length));
    assert.equal(b.offset, 1);
    assert.ok(b.err instanceof TruncatedInputError);

    const inner = reader(0x96, 0x01, 0x00);
    const c = offsetOf(() => inner.uint(1)); // the message ends after the first byte
    assert.equal(c.offset, 0);
    assert.ok(!(c.err instanceof TruncatedInputError));
    assert.match(c.err.reason, /past the end of its message at byte 1/);
  });

  it('reads keys and refuses field 0 and wire types 3, 4, 6, 7', () => {
    const r = reader(0x08, 0x12, 0xf8, 0x01, 0xfa, 0xff, 0xff, 0xff, 0x0f);
    assert.equal(r.key(r.length), (1 << 3) | VARINT);
    assert.equal(r.key(r.length), (2 << 3) | LEN);
    assert.equal(r.key(r.length), (31 << 3) | VARINT);
    assert.equal(r.key(r.length), (2 ** 29 - 1) * 8 + LEN);
    for (const [byte, what] of [
      [0x00, /field number 0/],
      [0x0b, /SGROUP/],
      [0x0c, /EGROUP/],
      [0x0e, /wire type 6/],
      [0x0f, /wire type 7/],
    ] as const) {
      const bad = reader(0x08, 0x01, byte);
      bad.pos = 2;
      const e = offsetOf(() => bad.key(bad.length));
      assert.equal(e.offset, 2);
      assert.match(e.err.reason, what);
    }
  });

  it('skips unknown fields by wire type and checks their lengths', () => {
    const w = new ProtoWriter().varint(50, -1).fixed64(51, 7n).fixed32(52, 9).string(53, 'xyz').finish();
    const r = new ProtoReader(w, 'w');
    for (const wire of [VARINT, I64, I32, LEN]) {
      const at = r.pos;
      const key = r.key(r.length);
      assert.equal(key & 7, wire);
      r.skip(key & 7, r.length, at, key >>> 3);
    }
    assert.equal(r.pos, w.length);

    const short = new ProtoWriter().fixed64(51, 7n).finish().subarray(0, 5);
    const s = new ProtoReader(short, 'w');
    const key = s.key(s.length);
    const e = offsetOf(() => s.skip(key & 7, s.length, 0, key >>> 3));
    assert.equal(e.offset, 0);
    assert.ok(e.err instanceof TruncatedInputError);

    const long = reader(0x12, 0x05, 0x01);
    long.key(long.length);
    const l = offsetOf(() => long.len(long.length, 0, 'field 2'));
    assert.equal(l.offset, 0);
    assert.match(l.err.reason, /length 5 at byte 0 runs past the end of the input/);
  });
});
