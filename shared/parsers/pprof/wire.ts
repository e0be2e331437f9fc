/**
 * Protocol buffers wire format: a bounds-checked reader over one Uint8Array, for the hand-written
 * profile.proto decoder (decode.ts). https://protobuf.dev/programming-guides/encoding/
 *
 * A message is a sequence of fields, each a key then a value; the key is the varint
 * `field_number << 3 | wire_type`:
 *
 *   wire type 0 VARINT  int32/64, uint32/64, bool, enum: 1–10 bytes, 7 bits each, least significant
 *                       group first, the high bit set on every byte but the last. A negative int64 is
 *                       its two's complement as uint64: always 10 bytes (ff ff ff ff ff ff ff ff ff 01 = -1).
 *   wire type 1 I64     fixed64, sfixed64, double: 8 bytes little-endian
 *   wire type 2 LEN     string, bytes, embedded message, packed repeated scalars: a varint length, then
 *                       that many bytes
 *   wire type 3/4       SGROUP/EGROUP: deprecated groups; profile.proto has none, and we refuse them
 *   wire type 5 I32     fixed32, sfixed32, float: 4 bytes little-endian
 *   wire type 6/7       undefined
 *
 * Example: `08 96 01` is field 1, wire type 0, value 150; `12 03 01 02 03` is field 2, LEN 3, the
 * packed varints 1 2 3 (or a 3-byte string or message: the schema says which). A repeated scalar may
 * come packed (one LEN field) or unpacked (one VARINT field per element), or both in one message; a
 * parser must accept either (https://protobuf.dev/programming-guides/encoding/#packed). A field that
 * appears twice: last one wins for scalars, merged for messages; unknown fields are skipped by their
 * wire type (forward compatibility).
 *
 * Every failure is a MalformedInputError carrying the byte offset of the varint, key or field it is
 * about; truncation (the input ending inside something) is a TruncatedInputError.
 */
import { MalformedInputError } from '../../errors.js';
import { TruncatedInputError } from '../bytes.js';

export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

const TWO_32 = 4294967296;
/** hi words at or above this make a uint64 that is not a safe integer (> 2^53 - 1). */
const UNSAFE_HI = 0x200000;

const WIRE_NAMES = ['VARINT', 'I64', 'LEN', 'SGROUP', 'EGROUP', 'I32', 'wire type 6', 'wire type 7'];

function wireName(type: number): string {
  return WIRE_NAMES[type] ?? `wire type ${type}`;
}

/**
 * A cursor over `buf`. Methods that read take the end of the enclosing message (`end`), so nothing
 * is ever read across a message boundary; `pos` moves past what was read.
 * Varints have a fast path for 1–2 bytes (ids, lengths, small values); longer ones go through
 * `long`, which splits the 64 bits into `hi` and `lo` words so negative int64 values stay exact.
 */
export class ProtoReader {
  pos = 0;
  /**
   * Words of the last varint read by `long`, as signed 32-bit integers (so they stay small integers
   * to V8 and the reader's shape never changes); `>>> 0` makes them unsigned.
   */
  hi = 0;
  lo = 0;
  readonly length: number;

  constructor(
    readonly buf: Uint8Array,
    readonly file: string,
  ) {
    this.length = buf.length;
  }

  /** A uint64 varint as a number (exact below 2^53). */
  uint(end: number): number {
    const n = this.short(end);
    if (n >= 0) return n;
    this.long(end);
    return (this.hi >>> 0) * TWO_32 + (this.lo >>> 0);
  }

  /** An int64 varint as a number: two's complement, exact for |x| < 2^53. */
  int64(end: number): number {
    const n = this.short(end);
    if (n >= 0) return n;
    this.long(end);
    return this.hi * TWO_32 + (this.lo >>> 0);
  }

  /** The fast path of `uint` and `int64`: a varint of 1–2 bytes, or -1 (pos unmoved) for any other. */
  private short(end: number): number {
    const b = this.buf;
    const p = this.pos;
    if (p + 1 < end) {
      const b0 = b[p]!;
      if (b0 < 0x80) {
        this.pos = p + 1;
        return b0;
      }
      const b1 = b[p + 1]!;
      if (b1 < 0x80) {
        this.pos = p + 2;
        return (b0 & 0x7f) | (b1 << 7);
      }
    }
    return -1;
  }

  /** A uint64 varint exactly (addresses and offsets). */
  uint64(end: number): bigint {
    const n = this.uint(end);
    if (Number.isSafeInteger(n)) return BigInt(n);
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  /**
   * A uint64 id: a number when it is a safe integer (always, for real producers), else a string of
   * its exact value, so two large ids never collide by rounding.
   */
  id(end: number): number | string {
    const n = this.uint(end);
    if (n < 0x80 * 0x80 || this.hi >>> 0 < UNSAFE_HI) return n;
    return ((BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0)).toString();
  }

  /** A bool (any non-zero varint is true, as protobuf decoders read it). */
  bool(end: number): boolean {
    const b = this.buf[this.pos];
    if (b !== undefined && b < 0x80 && this.pos < end) {
      this.pos++;
      return b !== 0;
    }
    this.long(end);
    return (this.hi | this.lo) !== 0;
  }

  /**
   * Any varint of up to 10 bytes into `hi`/`lo`. Bits past 64 in a tenth byte are dropped, as
   * protobuf's and pprof's own decoders do.
   */
  long(end: number): void {
    const b = this.buf;
    const start = this.pos;
    let p = start;
    let lo = 0;
    let hi = 0;
    let x: number;
    // bytes 0-3: bits 0-27 of lo
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) this.varintEnded(start, end);
      x = b[p++]!;
      lo |= (x & 0x7f) << shift;
      if (x < 0x80) return this.setLong(p, lo, 0);
    }
    // byte 4: bits 28-31 of lo, bits 0-2 of hi
    if (p >= end) this.varintEnded(start, end);
    x = b[p++]!;
    lo |= (x & 0x7f) << 28;
    hi = (x & 0x7f) >> 4;
    if (x < 0x80) return this.setLong(p, lo, hi);
    // bytes 5-9: bits 3-31 of hi (the tenth byte's bit 0 is bit 63)
    for (let shift = 3; shift < 38; shift += 7) {
      if (p >= end) this.varintEnded(start, end);
      x = b[p++]!;
      hi |= (x & 0x7f) << shift;
      if (x < 0x80) return this.setLong(p, lo, hi);
    }
    throw this.error(start, 'bad varint: more than 10 bytes');
  }

  private setLong(p: number, lo: number, hi: number): void {
    this.pos = p;
    this.lo = lo | 0;
    this.hi = hi | 0;
  }

  private varintEnded(start: number, end: number): never {
    if (end >= this.length) throw this.truncated(start, 'truncated varint: the input ends inside it');
    throw this.error(start, `bad varint: runs past the end of its message at byte ${end}`);
  }

  /**
   * A field key: sets `pos` past it and returns `field << 3 | wireType` (as a number: field numbers
   * go up to 2^29 - 1). Field number 0 and wire types 3, 4, 6, 7 are errors.
   */
  key(end: number): number {
    const at = this.pos;
    const b0 = this.buf[at]!;
    let key: number;
    if (b0 < 0x80 && at < end) {
      this.pos = at + 1;
      key = b0;
    } else {
      key = this.uint(end);
      if (key >= 2 ** 32) throw this.error(at, `bad field key ${key}: more than 32 bits`);
    }
    if (key < 8) throw this.error(at, `bad field key ${key}: field number 0`);
    const wire = key & 7;
    if (wire === 3 || wire === 4 || wire > 5) {
      throw this.error(at, `field ${Math.floor(key / 8)}: unsupported ${wireName(wire)} (${wire})`);
    }
    return key;
  }

  /**
   * The length of a LEN field (pos at its length varint): returns the end of its bytes and leaves
   * `pos` at their start. `keyAt` is the offset of the field's key, for the error.
   */
  len(end: number, keyAt: number, what: string): number {
    const n = this.uint(end);
    const start = this.pos;
    if (n > end - start) {
      const reason = `${what}: length ${n} at byte ${keyAt} runs past the end of ${end >= this.length ? 'the input' : `its message at byte ${end}`}`;
      if (end >= this.length) throw this.truncated(keyAt, reason);
      throw this.error(keyAt, reason);
    }
    return start + n;
  }

  /** Skips the value of a field of wire type `wire` (the key already read), e.g. an unknown field. */
  skip(wire: number, end: number, keyAt: number, field: number): void {
    switch (wire) {
      case VARINT:
        this.long(end);
        return;
      case I64:
        return this.skipFixed(8, end, keyAt, field);
      case LEN:
        this.pos = this.len(end, keyAt, `field ${field}`);
        return;
      case I32:
        return this.skipFixed(4, end, keyAt, field);
      default:
        throw this.error(keyAt, `field ${field}: unsupported ${wireName(wire)} (${wire})`);
    }
  }

  private skipFixed(n: number, end: number, keyAt: number, field: number): void {
    if (end - this.pos < n) {
      const reason = `field ${field}: ${n}-byte ${wireName(n === 8 ? I64 : I32)} value runs past the end`;
      if (end >= this.length) throw this.truncated(keyAt, reason);
      throw this.error(keyAt, reason);
    }
    this.pos += n;
  }

  /** Checks that `what` (a known VARINT field, key at `keyAt`) came as one; returns the offset of its value. */
  scalar(keyAt: number, wire: number, what: string, want = 'VARINT'): number {
    if (wire !== VARINT) throw this.wrongWire(keyAt, what, wire, want);
    return this.pos;
  }

  /** `what` (a known field) came with the wrong wire type. */
  wrongWire(keyAt: number, what: string, wire: number, want: string): MalformedInputError {
    return this.error(keyAt, `${what}: wire type ${wireName(wire)} (${wire}), want ${want}`);
  }

  error(byteOffset: number, reason: string): MalformedInputError {
    return new MalformedInputError({ file: this.file, byteOffset }, reason);
  }

  truncated(byteOffset: number, reason: string): TruncatedInputError {
    return new TruncatedInputError({ file: this.file, byteOffset }, reason);
  }
}
