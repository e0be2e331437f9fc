/**
 * Bytes to text for line-oriented parsers that work on whole chunks: each incoming byte chunk is cut at
 * its last `\n`, the complete lines before it are decoded once as one string (UTF-8; invalid sequences
 * become U+FFFD, never an exception), and the partial line after it is carried over to the next chunk.
 * `\n` (0x0a) never occurs inside a multi-byte UTF-8 sequence, so cutting there never splits a character.
 *
 * A line that grows past `maxLineBytes` while it is carried (it spans chunks) is reported once through
 * `tooLong` and skipped up to its `\n` without being gathered. Long lines that arrive whole inside one
 * chunk are the consumer's to check (see `lineTooLong`): they are already in memory, and checking them
 * here would mean scanning every chunk twice.
 */
import { Buffer } from 'node:buffer';
import { concat } from '../bytes.js';

const LF = 0x0a;

export interface TextChunkSink {
  /** One or more whole lines, each ending with `\n`; at the end of input, the last line may lack it. */
  text(block: string): void;
  /** The line being carried passed maxLineBytes: it is dropped; text resumes after its `\n`. */
  tooLong(): void;
}

export class TextChunker {
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  /** Inside a too-long line: drop bytes until the next `\n`. */
  private skipping = false;

  constructor(
    private readonly sink: TextChunkSink,
    private readonly maxLineBytes: number,
  ) {}

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let pos = 0;
    while (pos < n) {
      if (this.skipping) {
        const nl = chunk.indexOf(LF, pos);
        if (nl < 0) return;
        this.skipping = false;
        pos = nl + 1;
        continue;
      }
      if (this.carryBytes > 0) {
        // Finish the carried line first: it is the only line that needs a copy.
        const nl = chunk.indexOf(LF, pos);
        const end = nl < 0 ? n : nl;
        if (this.carryBytes + (end - pos) > this.maxLineBytes) {
          this.dropCarry();
          this.sink.tooLong();
          if (nl < 0) {
            this.skipping = true;
            return;
          }
          pos = nl + 1;
          continue;
        }
        if (nl < 0) {
          this.keep(chunk.subarray(pos));
          return;
        }
        this.carry.push(chunk.subarray(pos, nl + 1));
        const line = concat(this.carry);
        this.dropCarry();
        this.sink.text(decode(line, 0, line.length));
        pos = nl + 1;
        continue;
      }
      const last = chunk.lastIndexOf(LF);
      if (last >= pos) {
        this.sink.text(decode(chunk, pos, last + 1));
        pos = last + 1;
      }
      if (pos < n) {
        if (n - pos > this.maxLineBytes) {
          this.sink.tooLong();
          this.skipping = true;
          return;
        }
        this.keep(chunk.subarray(pos));
        return;
      }
    }
  }

  /** Delivers the last line if the input did not end with `\n`. */
  end(): void {
    if (this.carryBytes > 0) {
      const line = concat(this.carry);
      this.dropCarry();
      this.sink.text(decode(line, 0, line.length));
    }
    this.skipping = false;
  }

  /** Copies the partial line: the source may hand its chunk buffers to someone else after this call. */
  private keep(part: Uint8Array): void {
    this.carry.push(Uint8Array.prototype.slice.call(part));
    this.carryBytes += part.length;
  }

  private dropCarry(): void {
    this.carry = [];
    this.carryBytes = 0;
  }
}

/**
 * True when the line `s.slice(start, end)` is longer than `maxBytes` bytes of UTF-8. Cheap for ordinary
 * lines: a string of n UTF-16 units takes between n and 3n bytes, so only lines within that band are
 * measured.
 */
export function lineTooLong(s: string, start: number, end: number, maxBytes: number): boolean {
  const units = end - start;
  if (units > maxBytes) return true;
  if (units * 3 <= maxBytes) return false;
  return Buffer.byteLength(s.slice(start, end), 'utf8') > maxBytes;
}

function decode(bytes: Uint8Array, start: number, end: number): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('utf8', start, end);
}
