/**
 * A tiny protobuf writer (wire format: wire.ts), for tests and fixtures that build profiles by hand:
 * every encoding a producer may choose is reachable (packed or unpacked repeats, negative int64 as
 * 10-byte varints, fields in any order, unknown fields of every wire type, raw bytes for broken input).
 */
import { I32, I64, LEN, VARINT } from './wire.js';

export type Int = number | bigint;

export class ProtoWriter {
  private readonly bytes: number[] = [];

  /** Offset of the next byte written. */
  get length(): number {
    return this.bytes.length;
  }

  /** A varint: a negative value is its 64-bit two's complement (10 bytes). */
  rawVarint(value: Int): this {
    let v = BigInt(value);
    if (v < 0n) v += 1n << 64n;
    if (v < 0n || v >= 1n << 64n) throw new RangeError(`varint out of range: ${value}`);
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      this.bytes.push(v > 0n ? byte | 0x80 : byte);
    } while (v > 0n);
    return this;
  }

  key(field: number, wire: number): this {
    return this.rawVarint(field * 8 + wire);
  }

  /** `field` as VARINT (int64, uint64, bool). */
  varint(field: number, value: Int | boolean): this {
    return this.key(field, VARINT).rawVarint(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }

  /** Each value as its own VARINT field (unpacked repeated). */
  unpacked(field: number, values: readonly Int[]): this {
    for (const v of values) this.varint(field, v);
    return this;
  }

  /** One LEN field holding the varints back to back (packed repeated). */
  packed(field: number, values: readonly Int[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    return this.bytesField(field, inner.finish());
  }

  bytesField(field: number, data: Uint8Array): this {
    this.key(field, LEN).rawVarint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  fixed64(field: number, value: bigint): this {
    this.key(field, I64);
    for (let i = 0n; i < 8n; i++) this.bytes.push(Number((value >> (8n * i)) & 0xffn));
    return this;
  }

  fixed32(field: number, value: number): this {
    this.key(field, I32);
    for (let i = 0; i < 4; i++) this.bytes.push((value >>> (8 * i)) & 0xff);
    return this;
  }

  /** Bytes as they are (broken input). */
  raw(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
