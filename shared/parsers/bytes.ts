/**
 * Byte sources and a pull reader over them: the one abstraction every parser reads from.
 *
 * A `ByteSource` is any async iterable of byte chunks (a file stream, an S3 body, a gunzip stream,
 * an archive entry). Chunks are never copied unless a requested range spans two of them, and never
 * reused: a consumer may keep a chunk (or a subarray of it) it was given.
 */
import type { Readable } from 'node:stream';
import { MalformedInputError, type InputPosition } from '../errors.js';

export type ByteSource = AsyncIterable<Uint8Array>;

/** The input ended before a structure was complete ("mine but truncated"). */
export class TruncatedInputError extends MalformedInputError {
  override name = 'TruncatedInputError';
}

/** A source over an in-memory buffer, cut into chunks of `chunkSize` bytes (tests use tiny ones). */
export async function* fromBuffer(buf: Uint8Array, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  if (chunkSize < 1) throw new RangeError(`chunkSize must be at least 1, got ${chunkSize}`);
  for (let at = 0; at < buf.length; at += chunkSize) yield buf.subarray(at, Math.min(at + chunkSize, buf.length));
}

/** A source over a Node readable (fs stream, HTTP body). Strings are refused: sources are bytes. */
export async function* fromNodeStream(readable: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of readable as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('fromNodeStream: the stream yields strings, not bytes');
    yield chunk;
  }
}

/** Concatenates chunks into one buffer. For small things only (headers, test expectations). */
export async function collect(source: ByteSource): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of source) parts.push(c);
  return concat(parts);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface ByteReaderOptions {
  /** Name of the input, for errors. Default `input`. */
  file?: string;
}

/**
 * A pull reader over a ByteSource with look-ahead. It buffers only what `peek`/`read` ask for
 * (plus the rest of the chunk that satisfied them); `stream(n)` and `rest()` hand chunks through.
 */
export class ByteReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly file: string;
  /** Buffered chunks not yet consumed; `chunks[0]` starts at `head`. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  private buffered = 0;
  private done = false;
  private consumed = 0;

  constructor(source: ByteSource, opts: ByteReaderOptions = {}) {
    this.iterator = source[Symbol.asyncIterator]();
    this.file = opts.file ?? 'input';
  }

  /** Bytes consumed so far (read, skipped or streamed). */
  get offset(): number {
    return this.consumed;
  }

  /** Pulls chunks until `n` bytes are buffered or the source ends; returns what is buffered. */
  private async fill(n: number): Promise<number> {
    while (this.buffered < n && !this.done) {
      const r = await this.iterator.next();
      if (r.done) {
        this.done = true;
        break;
      }
      if (r.value.length === 0) continue;
      this.chunks.push(r.value);
      this.buffered += r.value.length;
    }
    return this.buffered;
  }

  /** Copies (or, within one chunk, views) the first `n` buffered bytes without consuming them. */
  private view(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first === undefined || n === 0) return new Uint8Array(0);
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const out = new Uint8Array(n);
    let at = 0;
    for (let i = 0; at < n; i++) {
      const c = this.chunks[i]!;
      const from = i === 0 ? this.head : 0;
      const take = Math.min(c.length - from, n - at);
      out.set(c.subarray(from, from + take), at);
      at += take;
    }
    return out;
  }

  /** Drops `n` buffered bytes (n <= buffered). */
  private drop(n: number): void {
    this.buffered -= n;
    this.consumed += n;
    while (n > 0) {
      const first = this.chunks[0]!;
      const left = first.length - this.head;
      if (n < left) {
        this.head += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Up to `n` bytes without consuming them; fewer only at the end of the source. */
  async peek(n: number): Promise<Uint8Array> {
    const have = await this.fill(n);
    return this.view(Math.min(n, have));
  }

  /** True when every byte has been consumed. */
  async atEnd(): Promise<boolean> {
    return (await this.fill(1)) === 0;
  }

  /** Up to `n` bytes; fewer only at the end of the source. */
  async read(n: number): Promise<Uint8Array> {
    const out = await this.peek(n);
    this.drop(out.length);
    return out;
  }

  /** Exactly `n` bytes, or a TruncatedInputError at the offset where the source ended. */
  async readExactly(n: number, what = `${n} bytes`): Promise<Uint8Array> {
    const out = await this.peek(n);
    if (out.length < n) throw this.truncated(n - out.length, what);
    this.drop(n);
    return out;
  }

  /** Skips exactly `n` bytes without copying them, or throws a TruncatedInputError. */
  async skip(n: number, what = `${n} bytes`): Promise<void> {
    for await (const _ of this.stream(n, what)) {
      // discarded: stream() hands chunks through without buffering them
    }
  }

  /**
   * The next available chunk, at most `max` bytes, consumed; undefined at the end.
   * Zero-copy: a view of the buffered or freshly pulled chunk.
   */
  async readChunk(max = Number.POSITIVE_INFINITY): Promise<Uint8Array | undefined> {
    if ((await this.fill(1)) === 0) return undefined;
    const first = this.chunks[0]!;
    const take = Math.min(first.length - this.head, max);
    const out = first.subarray(this.head, this.head + take);
    this.drop(take);
    return out;
  }

  /** Puts back bytes that were just consumed (e.g. the input a decompressor did not use). */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (bytes.length > this.consumed) throw new RangeError('unread: more bytes than were consumed');
    if (this.head > 0) {
      this.chunks[0] = this.chunks[0]!.subarray(this.head);
      this.head = 0;
    }
    this.chunks.unshift(bytes);
    this.buffered += bytes.length;
    this.consumed -= bytes.length;
  }

  /**
   * A source of exactly the next `n` bytes, handed through chunk by chunk; a TruncatedInputError
   * if the input ends first. Reading it consumes from this reader.
   */
  async *stream(n: number, what = `${n} bytes`): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      const c = await this.readChunk(left);
      if (c === undefined) throw this.truncated(left, what);
      left -= c.length;
      yield c;
    }
  }

  /** A source of everything left. Stopping it early leaves the reader usable. */
  async *rest(): AsyncGenerator<Uint8Array> {
    for (let c = await this.readChunk(); c !== undefined; c = await this.readChunk()) yield c;
  }

  /** Releases the underlying source (e.g. stops a decompressor) without reading the rest. */
  async close(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
  }

  private truncated(missing: number, what: string): TruncatedInputError {
    const position: InputPosition = { file: this.file, byteOffset: this.consumed + this.buffered };
    return new TruncatedInputError(position, `input ended ${missing} bytes short of ${what}`);
  }
}
