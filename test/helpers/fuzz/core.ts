// The pieces every parser property shares: random chunkings of a byte buffer (to cross chunk
// boundaries everywhere), mutations of real inputs, and the outcome rule of a parse of hostile
// input: a result, or a typed error that says where (file and line or byte offset). Anything else
// (a TypeError, a RangeError, an untyped Error) is a parser bug and fails the property.
import fc from 'fast-check';
import { LimitExceededError, MalformedInputError } from '../../../shared/errors.js';
import { collect, concat, type ByteSource } from '../../../shared/parsers/bytes.js';

export const KIB = 1024;

/** Chunk sizes 1..64 KiB, weighted toward the small ones that cross the most boundaries. */
export const chunkSize: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 16 }), weight: 3 },
  { arbitrary: fc.integer({ min: 17, max: 4 * KIB }), weight: 3 },
  { arbitrary: fc.integer({ min: 4 * KIB + 1, max: 64 * KIB }), weight: 2 },
);

/** A chunking: the sizes are used in turn, cycling. */
export const chunking: fc.Arbitrary<number[]> = fc.array(chunkSize, { minLength: 1, maxLength: 8 });

/** The chunks of `bytes` cut by `sizes` (cycled); every chunk is a fresh view, none empty. */
export function cut(bytes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    out.push(bytes.subarray(at, Math.min(at + n, bytes.length)));
    at += n;
  }
  return out;
}

/** `bytes` as a ByteSource cut by `sizes`. */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  for (const c of cut(bytes, sizes)) yield c;
}

/** A source drained into a plain Uint8Array (collect() hands a lone chunk back as is: a Buffer, from zlib). */
export async function drain(source: ByteSource): Promise<Uint8Array> {
  return Uint8Array.from(await collect(source));
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// ---------------------------------------------------------------------------------------------
// Mutations of real inputs

export type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; n: number }
  | { op: 'dup-line'; at: number; times: number }
  | { op: 'long-line'; at: number; n: number; byte: number };

/** Garbage worth inserting: NULs, invalid UTF-8, lone surrogates' bytes, CR, LF, random bytes. */
const GARBAGE: fc.Arbitrary<number[]> = fc.oneof(
  fc.constant<number[]>([0]),
  fc.constant<number[]>([0, 0, 0, 0]),
  fc.constant<number[]>([0xff, 0xfe]),
  fc.constant<number[]>([0xc3]), // a lead byte without its continuation
  fc.constant<number[]>([0x80, 0x80]), // continuation bytes without a lead
  fc.constant<number[]>([0xed, 0xa0, 0x80]), // an encoded surrogate
  fc.constant<number[]>([0xf4, 0x90, 0x80, 0x80]), // past U+10FFFF
  fc.constant<number[]>([0x0d]),
  fc.constant<number[]>([0x0a]),
  fc.constant<number[]>([0x0d, 0x0a, 0x0a]),
  fc.constant<number[]>([0xef, 0xbb, 0xbf]), // a BOM mid-file
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 32 }),
  fc.string({ maxLength: 24 }).map((s) => [...utf8(s)]),
);

/** One mutation; offsets are fractions of the input's length, resolved by `mutate`. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: GARBAGE }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('dup-line' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 4 }) }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('long-line' as const),
      at: fc.nat(),
      n: fc.integer({ min: 100, max: 3000 }),
      byte: fc.constantFrom(0x61, 0x20, 0x3a, 0x09, 0x7b, 0x30),
    }),
    weight: 1,
  },
);

export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 6 });

/** Applies the mutations in order (each offset taken modulo the current length). */
export function mutate(base: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = base;
  for (const m of ms) {
    const len = b.length;
    const at = len === 0 ? 0 : m.at % (len + 1);
    switch (m.op) {
      case 'flip': {
        if (len === 0) break;
        const c = b.slice();
        c[m.at % len]! ^= m.mask;
        b = c;
        break;
      }
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = concat([b.subarray(0, at), Uint8Array.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = concat([b.subarray(0, at), b.subarray(Math.min(len, at + m.n))]);
        break;
      case 'dup-line': {
        const start = b.lastIndexOf(0x0a, Math.max(0, at - 1)) + 1;
        let end = b.indexOf(0x0a, at);
        end = end < 0 ? len : end + 1;
        const line = b.subarray(start, end);
        b = concat([b.subarray(0, end), ...Array.from({ length: m.times }, () => line), b.subarray(end)]);
        break;
      }
      case 'long-line':
        b = concat([b.subarray(0, at), new Uint8Array(m.n).fill(m.byte), b.subarray(at)]);
        break;
    }
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Outcomes

/** Thrown by a property when a parse ended in an error that is not a typed, located one. */
export class UntypedOutcomeError extends Error {
  override name = 'UntypedOutcomeError';
}

/**
 * The rule for hostile input: `run` resolves (any result), or rejects with a MalformedInputError
 * whose position names the file (`file`, or any non-empty name when `file` is undefined: archive
 * entries) and a line or byte offset, or with a LimitExceededError naming the input. Returns the
 * outcome's kind; throws UntypedOutcomeError otherwise.
 */
export async function typedOutcome<T>(file: string | undefined, run: () => Promise<T>): Promise<'ok' | 'malformed' | 'limit'> {
  try {
    await run();
    return 'ok';
  } catch (err) {
    if (err instanceof MalformedInputError) {
      const p = err.position;
      if (typeof p.file !== 'string' || p.file === '' || (file !== undefined && p.file !== file)) {
        throw new UntypedOutcomeError(`MalformedInputError names file ${JSON.stringify(p.file)}, not ${JSON.stringify(file)}: ${err.message}`, { cause: err });
      }
      const line = p.line !== undefined && Number.isInteger(p.line) && p.line >= 1;
      const offset = p.byteOffset !== undefined && Number.isInteger(p.byteOffset) && p.byteOffset >= 0;
      if (!line && !offset) throw new UntypedOutcomeError(`MalformedInputError without a line or byte offset: ${err.message}`, { cause: err });
      return 'malformed';
    }
    if (err instanceof LimitExceededError) {
      if (file !== undefined && !err.message.includes(file)) throw new UntypedOutcomeError(`LimitExceededError does not name ${file}: ${err.message}`, { cause: err });
      return 'limit';
    }
    const e = err as Error;
    throw new UntypedOutcomeError(`untyped ${e?.name ?? typeof err}: ${e?.message ?? String(err)}\n${e?.stack ?? ''}`, { cause: err });
  }
}
