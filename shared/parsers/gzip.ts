/**
 * gzip: streaming decode with node:zlib, bomb and size limits, precise error offsets.
 * Format: RFC 1952, https://www.rfc-editor.org/rfc/rfc1952 (members may be concatenated).
 *
 *   +---+---+---+---+---+---+---+---+---+---+
 *   |ID1|ID2|CM |FLG|     MTIME     |XFL|OS | (more-->)
 *   +---+---+---+---+---+---+---+---+---+---+
 *   (if FLG.FEXTRA) XLEN(2) + XLEN bytes; (if FLG.FNAME) name, zero-terminated, ISO 8859-1;
 *   (if FLG.FCOMMENT) comment, zero-terminated; (if FLG.FHCRC) CRC16(2); deflate data; CRC32(4) ISIZE(4)
 *
 * `pumpZlib` drives any node:zlib transform from a ByteSource with back-pressure; zip.ts reuses it
 * for raw deflate entries.
 */
import zlib from 'node:zlib';
import { LimitExceededError, MalformedInputError, type InputPosition } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { concat, type ByteSource } from './bytes.js';

/** A ratio limit applies once a stream has decoded this much (small files compress very well). */
export const RATIO_GRACE_BYTES = 1024 * 1024;
/** onStoredBytes fires at most once per this many stored bytes (and once at the end). */
export const PROGRESS_STEP_BYTES = 1024 * 1024;
const OUTPUT_CHUNK_BYTES = 64 * 1024;
const MIN_WRITE_BYTES = 16 * 1024;

// FLG bits (RFC 1952 §2.3.1).
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

/** A broken gzip stream: `truncated` when it ended early, else corrupt. byteOffset is compressed. */
export class GzipError extends MalformedInputError {
  override name = 'GzipError';
  constructor(
    position: InputPosition,
    reason: string,
    readonly truncated: boolean,
    options?: ErrorOptions,
  ) {
    super(position, reason, options);
  }
}

/** `1f 8b 08`: the gzip magic and the deflate method, the only one defined. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08;
}

export interface GzipHeader {
  /** FNAME: the original file name, as `gzip file.txt` records it (`gzip -c < f` records none). */
  name?: string;
  /** Bytes of the header before the deflate data. */
  headerBytes: number;
}

/**
 * Decodes the member header at the start of `head`; undefined when `head` is not gzip or too short.
 * Example (`gzip perf.txt`): 1f 8b 08 08 <mtime 4> 00 03 "perf.txt\0" <deflate...>
 */
export function parseGzipHeader(head: Uint8Array): GzipHeader | undefined {
  if (!isGzip(head) || head.length < 10) return undefined;
  const flg = head[3]!;
  let at = 10;
  if (flg & FEXTRA) {
    if (head.length < at + 2) return undefined;
    at += 2 + (head[at]! | (head[at + 1]! << 8));
  }
  let name: string | undefined;
  if (flg & FNAME) {
    const end = head.indexOf(0, at);
    if (end < 0) return undefined;
    name = Buffer.from(head.buffer, head.byteOffset + at, end - at).toString('latin1');
    at = end + 1;
  }
  if (flg & FCOMMENT) {
    const end = head.indexOf(0, at);
    if (end < 0) return undefined;
    at = end + 1;
  }
  if (flg & FHCRC) at += 2;
  if (at > head.length) return undefined;
  return name === undefined || name === '' ? { headerBytes: at } : { name, headerBytes: at };
}

export interface GunzipOptions {
  /** Name of the compressed input, for errors. */
  file: string;
  /** compressionRatio and decodedBytes apply to this one stream. Default DEFAULT_LIMITS. */
  limits?: Limits;
  /** Compressed bytes consumed so far, at most every PROGRESS_STEP_BYTES and once at the end. */
  onStoredBytes?: (n: number) => void;
}

/**
 * Decodes a gzip stream (all its members). Throws GzipError (truncated or corrupt, with the
 * compressed offset) and LimitExceededError (compressionRatio, decodedBytes) as soon as they show.
 */
export function gunzip(source: ByteSource, opts: GunzipOptions): ByteSource {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const { file } = opts;
  let reported = 0;
  const progress = opts.onStoredBytes;
  return pumpZlib(source, () => zlib.createGunzip({ chunkSize: OUTPUT_CHUNK_BYTES }), {
    check(decoded, consumed) {
      checkInflated(file, limits, decoded, consumed);
      if (progress && consumed - reported >= PROGRESS_STEP_BYTES) progress((reported = consumed));
    },
    onEnd(consumed) {
      if (progress && consumed !== reported) progress(consumed);
    },
    mapError(err, consumed, fed) {
      if (err.code === 'Z_BUF_ERROR') {
        return new GzipError({ file, byteOffset: fed }, 'gzip stream truncated', true, { cause: err });
      }
      // zlib reports no position of its own: the fault is in the bytes of the write that failed.
      const span = fed > consumed ? ` (in compressed bytes ${consumed}-${fed - 1})` : '';
      return new GzipError({ file, byteOffset: consumed }, `corrupt gzip data: ${err.message}${span}`, false, {
        cause: err,
      });
    },
  });
}

/** The bomb and size checks shared by gzip streams and zip deflate entries. */
export function checkInflated(where: string, limits: Limits, decoded: number, consumed: number): void {
  // The offset is the compressed byte reached: the bomb is in the bytes before it.
  if (decoded > limits.decodedBytes) throw new LimitExceededError('decodedBytes', decoded, limits.decodedBytes, where, consumed);
  if (decoded > RATIO_GRACE_BYTES && decoded > limits.compressionRatio * consumed) {
    const ratio = Math.floor(decoded / Math.max(consumed, 1));
    throw new LimitExceededError('compressionRatio', ratio, limits.compressionRatio, where, consumed);
  }
}

export interface ZlibError extends Error {
  code: string;
  errno: number;
}

function isZlibError(err: unknown): err is ZlibError {
  const e = err as Partial<ZlibError> | null;
  return typeof e?.errno === 'number' && typeof e.code === 'string' && e.code.startsWith('Z_');
}

export interface PumpOptions {
  /** After each output chunk: total decoded bytes and compressed bytes consumed. May throw. */
  check?: (decoded: number, consumed: number) => void;
  /** When the output ends normally, with the compressed bytes consumed. */
  onEnd?: (consumed: number) => void;
  /**
   * Where the compressed stream ended before its input did (raw deflate, or gzip followed by
   * zero padding): the input bytes it did not use. Without it they are dropped.
   */
  onUnused?: (tail: Uint8Array) => void;
  /** Turns a zlib error into ours; `consumed` is what zlib used, `fed` what it was given. */
  mapError: (err: ZlibError, consumed: number, fed: number) => Error;
}

/**
 * Feeds `source` into a zlib transform one chunk at a time and yields its output. Each chunk is
 * written only once the previous one was fully used, so the transform never runs ahead of the
 * consumer (node's zlib pauses inflating while its readable side is full) and, when the compressed
 * stream ends inside a chunk, the unused tail of that chunk is known exactly.
 */
export async function* pumpZlib(
  source: ByteSource,
  create: () => zlib.Gunzip | zlib.InflateRaw,
  opts: PumpOptions,
): AsyncGenerator<Uint8Array> {
  const z = create();
  z.on('error', () => {
    // reported through the async iterator below; this keeps a late error from being uncaught
  });
  const input = source[Symbol.asyncIterator]();
  let fed = 0;
  let stop = false;
  let unused: Uint8Array | undefined;
  let ended = false;

  const writer = (async () => {
    for (;;) {
      // Small chunks are gathered into one write: each write is a round trip to zlib's thread.
      const parts: Uint8Array[] = [];
      let size = 0;
      let done = false;
      while (size < MIN_WRITE_BYTES) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await input.next();
        } catch (err) {
          z.destroy(err as Error); // the reader rethrows the source's own error
          return;
        }
        if (r.done) {
          done = true;
          break;
        }
        parts.push(r.value);
        size += r.value.length;
      }
      if (stop) break;
      if (size > 0) {
        const chunk = concat(parts);
        fed += chunk.length;
        try {
          await writeChunk(z, chunk);
        } catch {
          break; // the transform failed or was destroyed: the reader reports why
        }
        if (z.bytesWritten < fed) {
          unused = chunk.subarray(chunk.length - (fed - z.bytesWritten));
          z.end();
          break;
        }
      }
      if (done) {
        z.end();
        return;
      }
    }
    await input.return?.();
  })();

  let decoded = 0;
  try {
    for await (const out of z as AsyncIterable<Buffer>) {
      decoded += out.length;
      opts.check?.(decoded, z.bytesWritten);
      yield out;
    }
    await writer;
    ended = true;
    if (unused !== undefined) opts.onUnused?.(unused);
    opts.onEnd?.(z.bytesWritten);
  } catch (err) {
    if (isZlibError(err)) throw opts.mapError(err, z.bytesWritten, fed);
    throw err;
  } finally {
    if (!ended) {
      stop = true;
      z.destroy();
      await writer;
    }
  }
}

function writeChunk(z: zlib.Gunzip | zlib.InflateRaw, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('zlib stream closed'));
    z.once('close', onClose);
    z.write(chunk, (err) => {
      z.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}
