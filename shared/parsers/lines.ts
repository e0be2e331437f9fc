/**
 * Line splitting on bytes for the text formats (perf script, -m diagnostics, gctrace, ...).
 * Lines end at `\n`; a `\r` before it is dropped (CRLF files); a last line without `\n` counts.
 * Lines are views into the source's chunks (no copy) unless a line spans two chunks.
 */
import { MalformedInputError } from '../errors.js';
import { LIMIT_SETTINGS } from '../limits.js';
import { concat, type ByteSource } from './bytes.js';

const LF = 0x0a;
const CR = 0x0d;

export interface LineOptions {
  /** Name of the input, for errors. */
  file: string;
  /** Longest line accepted, in bytes without its line ending (Limits.lineBytes, default 16 MiB). */
  maxLineBytes: number;
}

/**
 * The lines of each chunk as one batch (an array), for parsers that want to avoid an `await` per
 * line. Line numbers are the running count of lines yielded, from 1. A line longer than
 * maxLineBytes throws MalformedInputError (its line number and the byte offset where it starts)
 * as soon as that many bytes are seen, without gathering it first.
 */
export async function* lineBatches(source: ByteSource, opts: LineOptions): AsyncGenerator<Uint8Array[]> {
  const { file, maxLineBytes } = opts;
  let lineNo = 0;
  let lineStart = 0; // byte offset where the current (pending) line starts
  let offset = 0; // byte offset of the current chunk
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const tooLong = () =>
    new MalformedInputError(
      { file, line: lineNo + 1, byteOffset: lineStart },
      `line longer than the limit of ${maxLineBytes} bytes (lineBytes); set ${LIMIT_SETTINGS.lineBytes.env} to raise it`,
    );

  for await (const chunk of source) {
    const batch: Uint8Array[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(LF); nl >= 0; nl = chunk.indexOf(LF, start)) {
      let line: Uint8Array;
      if (pendingBytes > 0) {
        if (pendingBytes + nl - start > maxLineBytes) throw tooLong();
        pending.push(chunk.subarray(start, nl));
        line = concat(pending);
        pending = [];
        pendingBytes = 0;
      } else {
        if (nl - start > maxLineBytes) throw tooLong();
        line = chunk.subarray(start, nl);
      }
      batch.push(line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line);
      lineNo++;
      start = nl + 1;
      lineStart = offset + start;
    }
    if (start < chunk.length) {
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) throw tooLong();
      pending.push(chunk.subarray(start));
    }
    offset += chunk.length;
    if (batch.length > 0) yield batch;
  }
  if (pendingBytes > 0) {
    const line = concat(pending);
    yield [line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line];
  }
}

/** One line at a time (see lineBatches). */
export async function* lines(source: ByteSource, opts: LineOptions): AsyncGenerator<Uint8Array> {
  for await (const batch of lineBatches(source, opts)) yield* batch;
}

/** Lines decoded as UTF-8 (invalid sequences become U+FFFD). */
export async function* decodeUtf8Lines(source: ByteSource, opts: LineOptions): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const batch of lineBatches(source, opts)) {
    for (const line of batch) yield decoder.decode(line);
  }
}
