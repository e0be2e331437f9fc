// Malformed profiles: every error is a MalformedInputError (TruncatedInputError when the input ends
// early) naming the byte it is about; nothing else ever escapes the decoder.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { Strings, tiny } from '../../../test/fixtures/pprof/hand-built.js';
import { MalformedInputError } from '../../errors.js';
import { TruncatedInputError } from '../bytes.js';
import { decodeProfile } from './index.js';
import { ProtoWriter } from './wire-writer.js';
import { mulberry32 } from '../../analyses/gc/stats.js';

const FIXTURES = new URL('../../../test/fixtures/pprof/', import.meta.url);

/** Decodes, expecting a MalformedInputError; returns it. */
function failure(bytes: Uint8Array): MalformedInputError {
  try {
    decodeProfile(bytes, { file: 'bad.pb' });
  } catch (err) {
    if (err instanceof MalformedInputError) return err;
    throw new Error(`not a MalformedInputError: ${String(err)}`, { cause: err });
  }
  assert.fail('decoded without an error');
}

function expectError(bytes: Uint8Array, byteOffset: number, reason: RegExp): MalformedInputError {
  const err = failure(bytes);
  assert.equal(err.position.file, 'bad.pb');
  assert.equal(err.position.byteOffset, byteOffset, `offset of "${err.reason}"`);
  assert.match(err.reason, reason);
  assert.match(err.message, new RegExp(`^bad\\.pb \\(byte ${byteOffset}\\): `));
  return err;
}

/** A valid profile with `head` written first (so its offsets are known), then a string table. */
function profile(head: (w: ProtoWriter, s: Strings) => void, tail?: (w: ProtoWriter, s: Strings) => void): Uint8Array {
  const s = new Strings();
  const w = new ProtoWriter();
  head(w, s);
  w.message(1, (m) => m.varint(1, s.id('samples')).varint(2, s.id('count')));
  w.message(5, (m) => m.varint(1, 1).varint(2, s.id('f')));
  w.message(4, (m) => m.varint(1, 1).message(4, (l) => l.varint(1, 1)));
  tail?.(w, s);
  s.write(w);
  return w.finish();
}

/** The top-level fields of a valid profile: [key offset, value offset, end, wire type]. */
function topLevel(b: Uint8Array): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  const varint = (at: number): [number, number] => {
    let v = 0;
    let scale = 1;
    for (;;) {
      const x = b[at++]!;
      v += (x & 0x7f) * scale;
      scale *= 128;
      if (x < 0x80) return [v, at];
    }
  };
  for (let at = 0; at < b.length; ) {
    const [key, valueAt] = varint(at);
    const wire = key & 7;
    let end: number;
    if (wire === 0) end = varint(valueAt)[1];
    else if (wire === 2) {
      const [len, start] = varint(valueAt);
      end = start + len;
    } else throw new Error(`wire type ${wire} in a test profile`);
    out.push([at, valueAt, end, wire]);
    at = end;
  }
  return out;
}

/**
 * Cuts `raw` at every offset. Inside a field, the error is a TruncatedInputError at the varint the
 * cut ends in (the key, a VARINT value or a length), or at the key of a LEN field whose bytes it cuts.
 * At a field boundary the prefix is a valid protobuf: it decodes, or fails on what it lacks (not as
 * truncated).
 */
function truncateEverywhere(raw: Uint8Array): number {
  const fields = topLevel(raw);
  const lengthEnd = (f: [number, number, number, number]) => {
    let at = f[1];
    while (raw[at]! >= 0x80) at++;
    return at + 1;
  };
  let checked = 0;
  for (let cut = 0; cut < raw.length; cut++) {
    const bytes = raw.slice(0, cut);
    const field = fields.find(([keyAt, , end]) => keyAt < cut && cut < end);
    if (cut === 0) {
      assert.ok(failure(bytes) instanceof TruncatedInputError);
      continue;
    }
    if (field === undefined) {
      try {
        decodeProfile(bytes, { file: 'bad.pb' });
      } catch (err) {
        assert.ok(err instanceof MalformedInputError && !(err instanceof TruncatedInputError), `cut ${cut}: ${String(err)}`);
      }
      continue;
    }
    const [keyAt, valueAt, , wire] = field;
    let want: number;
    if (cut < valueAt) want = keyAt; // in the key
    else if (wire === 0) want = valueAt; // in a VARINT value
    else if (cut < lengthEnd(field)) want = valueAt; // in a length
    else want = keyAt; // in a LEN field's bytes
    const err = failure(bytes);
    assert.ok(err instanceof TruncatedInputError, `cut ${cut}: ${err.reason}`);
    assert.equal(err.position.byteOffset, want, `cut ${cut}: ${err.reason}`);
    checked++;
  }
  return checked;
}


describe('pprof decoder: malformed profiles', () => {
  it('reports truncation at every offset of a small profile with the offset of the cut field', () => {
    assert.ok(truncateEverywhere(tiny()) > 50);
  });

  it('reports truncation at every offset of real Go profiles', () => {
    for (const name of ['go1.19-mutex.pb.gz', 'go1.19-goroutine.pb.gz', 'go1.19-heap.pb.gz']) {
      const raw = new Uint8Array(gunzipSync(readFileSync(new URL(name, FIXTURES))));
      assert.ok(truncateEverywhere(raw) > raw.length / 2, name);
    }
  });

  it('refuses an empty input and a profile without a string table', () => {
    expectError(new Uint8Array(0), 0, /empty input/);
    const noStrings = new ProtoWriter().varint(12, 1).finish();
    expectError(noStrings, noStrings.length, /no string_table/);
  });

  it('refuses a bad varint: more than 10 bytes, or running past its message', () => {
    // period = 12 with an 11-byte varint: key at 0, value at 1
    const eleven = new ProtoWriter().key(12, 0).raw(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).string(6, '').finish();
    expectError(eleven, 1, /bad varint: more than 10 bytes/);
    // a ValueType whose last varint runs past the message's end: 0a 02 08 96 | 32 00
    const overrun = new ProtoWriter().key(1, 2).raw(0x02, 0x08, 0x96).string(6, '').finish();
    expectError(overrun, 3, /bad varint: runs past the end of its message at byte 4/);
  });

  it('refuses a length past the end of its message or the input', () => {
    // a Sample holding a packed location_id that claims 9 bytes of its 3: 12 05 0a 09 01 02 03
    const inner = new ProtoWriter().key(2, 2).raw(0x05, 0x0a, 0x09, 0x01, 0x02, 0x03).message(1, () => {}).string(6, '').finish();
    expectError(inner, 2, /Sample\.location_id: length 9 at byte 2 runs past the end of its message at byte 7/);
    const outer = new ProtoWriter().string(6, '').key(2, 2).raw(0x40, 0x01).finish();
    const err = expectError(outer, 2, /Profile\.sample: length 64 at byte 2 runs past the end of the input/);
    assert.ok(err instanceof TruncatedInputError);
  });

  it('refuses a known field with the wrong wire type', () => {
    expectError(new ProtoWriter().varint(2, 1).string(6, '').finish(), 0, /Profile\.sample: wire type VARINT \(0\), want LEN/);
    expectError(new ProtoWriter().fixed64(12, 1n).string(6, '').finish(), 0, /Profile\.period: wire type I64 \(1\), want VARINT/);
    expectError(new ProtoWriter().string(6, '').fixed32(6, 0).finish(), 2, /Profile\.string_table: wire type I32/);
    expectError(
      profile((w) => w.message(2, (m) => m.fixed32(2, 1))),
      2,
      /Sample\.value: wire type I32 \(5\), want VARINT or LEN \(packed\)/,
    );
    expectError(
      profile((w) => w.message(3, (m) => m.string(1, 'x'))),
      2,
      /Mapping\.id: wire type LEN \(2\), want VARINT/,
    );
    expectError(
      profile((w) => w.message(4, (m) => m.varint(1, 9).varint(4, 1))),
      4,
      /Location\.line: wire type VARINT \(0\), want LEN/,
    );
  });

  it('refuses wire types 3, 4, 6 and 7, known field or not', () => {
    for (const wire of [3, 4, 6, 7]) {
      expectError(new ProtoWriter().string(6, '').key(40, wire).finish(), 2, /unsupported/);
      expectError(new ProtoWriter().string(6, '').key(12, wire).finish(), 2, /unsupported/);
      expectError(profile((w) => w.message(2, (m) => m.key(9, wire))), 2, /unsupported/);
    }
  });

  it('refuses ids that do not resolve, with the offset of the id', () => {
    // 12 06 0a 01 63 12 01 01: the sample, its packed location_id 99 at byte 4
    expectError(profile((w) => w.message(2, (m) => m.packed(1, [99]).packed(2, [1]))), 4, /Sample\.location_id 99 names no location/);
    // unpacked: 12 04 08 63 10 01
    expectError(profile((w) => w.message(2, (m) => m.varint(1, 99).varint(2, 1))), 3, /Sample\.location_id 99 names no location/);
    // 22 04 08 05 10 07: location 5 with mapping_id 7 at byte 5
    expectError(profile((w) => w.message(4, (m) => m.varint(1, 5).varint(2, 7))), 5, /Location\.mapping_id 7 names no mapping/);
    // 22 06 08 05 22 02 08 09: a line naming function 9, its id at byte 7
    expectError(
      profile((w) => w.message(4, (m) => m.varint(1, 5).message(4, (l) => l.varint(1, 9)))),
      7,
      /Line\.function_id 9 names no function/,
    );
    // a line without function_id: at the key of the line
    expectError(profile((w) => w.message(4, (m) => m.varint(1, 5).message(4, (l) => l.varint(2, 3)))), 4, /Line without a function_id/);
  });

  it('refuses id 0 and ids used twice', () => {
    expectError(profile((w) => w.message(3, (m) => m.varint(2, 1))), 0, /mapping without an id/);
    expectError(profile((w) => w.message(5, (m) => m.varint(1, 0))), 0, /function without an id/);
    // 22 02 08 01: location 1 again (the profile's own location 1 comes later, its id is the duplicate)
    const dup = profile((w) => w.message(4, (m) => m.varint(1, 1)));
    const err = failure(dup);
    assert.match(err.reason, /location id 1 is used twice/);
    assert.ok(err.position.byteOffset! > 4);
    expectError(profile((w) => w.message(3, (m) => m.varint(1, 2 ** 40)).message(3, (m) => m.varint(1, 2 ** 40))), 12, /mapping id 1099511627776 is used twice/);
  });

  it('refuses string indices out of range, negative ones included', () => {
    // 2a 04 08 02 10 63: function 2 named by string 99, the index at byte 5
    expectError(profile((w) => w.message(5, (m) => m.varint(1, 2).varint(2, 99))), 5, /string index 99 out of range \(string_table has \d+ entries\)/);
    expectError(profile((w) => w.varint(7, -1)), 1, /string index -1 out of range/);
    expectError(profile((w) => w.varint(13, 50)), 1, /string index 50 out of range/);
    expectError(profile((w) => w.packed(13, [0, 70])), 3, /string index 70 out of range/);
    // 12 08 10 01 1a 04 08 00 20 4d: a label's num_unit 77 at byte 9
    expectError(profile((w) => w.message(2, (m) => m.varint(2, 1).message(3, (l) => l.varint(1, 0).varint(4, 77)))), 9, /string index 77/);
  });

  it('refuses a non-empty string_table[0], at its key', () => {
    const w = new ProtoWriter().varint(12, 1).string(6, 'x').string(6, '');
    expectError(w.finish(), 2, /string_table\[0\] must be "", got "x"/);
  });

  it('refuses a sample with a different number of values than sample types', () => {
    const s = new Strings();
    const two = (m: ProtoWriter) => m.varint(1, s.id('a'));
    const w = new ProtoWriter().message(2, (m) => m.packed(2, [1, 2, 3])).message(1, two).message(1, two);
    s.write(w);
    expectError(w.finish(), 0, /more values than sample types \(2\)/);
    const few = new ProtoWriter().message(1, two).message(1, two);
    const at = few.length;
    few.message(2, (m) => m.varint(2, 1));
    s.write(few);
    expectError(few.finish(), at, /sample has 1 values, want one per sample_type \(2\)/);
    const none = new ProtoWriter().message(2, (m) => m.varint(2, 1)).string(6, '').finish();
    expectError(none, 0, /samples but no sample_type/);
  });

  it('refuses concatenated profiles (a second time_nanos), as pprof does', () => {
    const one = new ProtoWriter().varint(9, 5).string(6, '').finish();
    const two = new Uint8Array([...one, ...one]);
    expectError(two, one.length, /second time_nanos \(the first at byte 0\): concatenated profiles/);
  });

  it('gives a Profile or a MalformedInputError for any mutation of a real profile (seeded)', () => {
    const seed = Number(process.env.PPROF_FUZZ_SEED || 20261124);
    const rounds = Number(process.env.PPROF_FUZZ_ROUNDS || 3000);
    const random = mulberry32(seed); // seeded, so a failing mutation can be replayed
    const base = new Uint8Array(gunzipSync(readFileSync(new URL('go1.19-cpu.pb.gz', FIXTURES))));
    const outcomes = { decoded: 0, malformed: 0 };
    for (let round = 0; round < rounds; round++) {
      const b = Array.from(base);
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * b.length);
        const r = random();
        if (r < 0.5) b[at] = Math.floor(random() * 256);
        else if (r < 0.65) b[at] ^= 1 << Math.floor(random() * 8);
        else if (r < 0.8) b.splice(at, 1 + Math.floor(random() * 8));
        else if (r < 0.9) b.splice(at, 0, ...Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 256)));
        else b.length = at;
      }
      const bytes = Uint8Array.from(b);
      try {
        decodeProfile(bytes, { file: 'fuzz.pb' });
        outcomes.decoded++;
      } catch (err) {
        if (!(err instanceof MalformedInputError)) {
          assert.fail(`seed ${seed} round ${round}: ${String(err)}\n${(err as Error).stack}`);
        }
        const at = err.position.byteOffset!;
        assert.ok(Number.isInteger(at) && at >= 0 && at <= bytes.length, `seed ${seed} round ${round}: offset ${at} of ${bytes.length}`);
        outcomes.malformed++;
      }
    }
    assert.ok(outcomes.decoded > 0 && outcomes.malformed > 0, JSON.stringify(outcomes));
  });
});
