/**
 * zip, read front to back from its local file headers (the central directory at the end is not
 * needed, and a stream cannot seek to it).
 * Format: PKWARE APPNOTE.TXT 6.3.10, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 *
 * Local file header (§4.3.7), little-endian:
 *   0 signature 50 4b 03 04   4 version needed(2)  6 flags(2)  8 method(2)  10 time(2)  12 date(2)
 *   14 crc-32(4)  18 compressed size(4)  22 uncompressed size(4)  26 name length(2)  28 extra length(2)
 *   30 name, then extra fields, then the entry's data.
 * Flag bit 3: crc and sizes are zero here and follow the data in a data descriptor (§4.3.9):
 *   [50 4b 07 08] crc-32(4) compressed(4 or 8) uncompressed(4 or 8).
 * Methods read: 0 stored, 8 deflate (raw, RFC 1951). Zip64 (§4.5.3): sizes 0xffffffff in the
 * header are in extra field 0x0001 as uncompressed(8), compressed(8).
 */
import zlib from 'node:zlib';
import { LimitExceededError, MalformedInputError } from '../../errors.js';
import { TruncatedInputError, type ByteReader } from '../bytes.js';
import { checkInflated, pumpZlib } from '../gzip.js';
import { archiveError, countEntry, EntryBody, normalizeEntryName, type ArchiveContext, type ArchiveEntry } from './entry.js';

// Signatures, as read little-endian.
const LOCAL_FILE_HEADER = 0x04034b50; // PK\3\4
const DATA_DESCRIPTOR = 0x08074b50; // PK\7\8
/** Where the entries end: central directory, zip64 end records, end of central directory, ... */
const END_OF_ENTRIES = new Set([
  0x02014b50, // central directory file header, PK\1\2
  0x06054b50, // end of central directory, PK\5\6 (an empty zip starts with it)
  0x06064b50, // zip64 end of central directory record, PK\6\6
  0x07064b50, // zip64 end of central directory locator, PK\6\7
  0x08064b50, // archive extra data record, PK\6\8
  0x05054b50, // digital signature, PK\5\5
]);

const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const STORED = 0;
const DEFLATE = 8;
const METHOD_NAMES: Record<number, string> = { 1: 'shrink', 6: 'implode', 9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstd', 95: 'xz', 99: 'AES' };
const ZIP64_EXTRA = 0x0001;
const U32_MAX = 0xffffffff;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 2 ** 32;
}

interface LocalHeader {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  zip64: boolean;
}

/**
 * The fixed header (30 bytes, signature included) plus name and extra fields.
 * Example (`zip -X a.zip escape.txt`): 50 4b 03 04 14 00 00 00 08 00 .. .. <crc> <csize> <size> 0a 00 00 00 "escape.txt"
 */
async function readLocalHeader(reader: ByteReader): Promise<LocalHeader> {
  const fixed = await reader.readExactly(30, 'a zip local file header');
  const flags = u16(fixed, 6);
  const nameBytes = await reader.readExactly(u16(fixed, 26), 'a zip entry name');
  const extra = await reader.readExactly(u16(fixed, 28), 'zip extra fields');
  // Without flag bit 11 names are in code page 437; latin1 keeps the ASCII part right.
  const name = (flags & FLAG_UTF8 ? utf8 : latin1).decode(nameBytes);
  let size = u32(fixed, 22);
  let compressedSize = u32(fixed, 18);
  let zip64 = false;
  // Extra fields: id(2) length(2) data. Zip64 (0x0001) holds the 0xffffffff sizes, uncompressed first.
  for (let at = 0; at + 4 <= extra.length; at += 4 + u16(extra, at + 2)) {
    if (u16(extra, at) !== ZIP64_EXTRA) continue;
    zip64 = true;
    let p = at + 4;
    const end = p + u16(extra, at + 2);
    if (size === U32_MAX && p + 8 <= end) (size = u64(extra, p)), (p += 8);
    if (compressedSize === U32_MAX && p + 8 <= end) compressedSize = u64(extra, p);
  }
  return { name, flags, method: u16(fixed, 8), compressedSize, size, zip64 };
}

/** Reads zip entries from `reader`, positioned at the first local file header. */
export async function* readZip(reader: ByteReader, ctx: ArchiveContext): AsyncGenerator<ArchiveEntry> {
  const { archive, limits } = ctx;
  let decodedTotal = 0;
  for (;;) {
    const at = reader.offset;
    let h: LocalHeader;
    try {
      const sig = await reader.peek(4);
      if (sig.length === 0) {
        throw new MalformedInputError(
          { file: archive, byteOffset: at },
          `archive ${archive} is truncated: it ends at byte ${at} without a central directory`,
        );
      }
      const signature = sig.length === 4 ? u32(sig, 0) : LOCAL_FILE_HEADER; // a shorter rest: truncated below
      if (END_OF_ENTRIES.has(signature)) return;
      if (signature !== LOCAL_FILE_HEADER) {
        throw new MalformedInputError(
          { file: archive, byteOffset: at },
          `archive ${archive} is corrupt: signature ${signature.toString(16).padStart(8, '0')} where a zip header should be`,
        );
      }
      h = await readLocalHeader(reader);
    } catch (err) {
      throw archiveError(err, { archive });
    }

    // An entry without a name (or only `/`, `.`, `..`) gets a label, as in tar: errors in it must name a file.
    const name = normalizeEntryName(h.name) || `[entry ${ctx.entries + 1}]`;
    const fail = (reason: string) => new MalformedInputError({ file: name, byteOffset: 0 }, `archive ${archive}: ${reason}`);
    if (h.flags & FLAG_ENCRYPTED) throw fail('encrypted zip entries are not supported');
    const descriptor = (h.flags & FLAG_DATA_DESCRIPTOR) !== 0;
    let data: AsyncGenerator<Uint8Array>;
    if (h.method === STORED) {
      if (descriptor) throw fail('a stored zip entry with a data descriptor has no size to read it by');
      data = stored(reader, h, name, archive);
    } else if (h.method === DEFLATE) {
      data = inflated(reader, h, name, ctx, (n) => {
        decodedTotal += n;
        if (decodedTotal > limits.decodedBytes) {
          throw new LimitExceededError('decodedBytes', decodedTotal, limits.decodedBytes, archive, reader.offset);
        }
      });
    } else {
      throw fail(`unsupported zip compression method ${h.method}${METHOD_NAMES[h.method] ? ` (${METHOD_NAMES[h.method]})` : ''}`);
    }

    const body = new EntryBody(data, name);
    if (h.name.endsWith('/') || name === '') {
      await body.drain(); // a directory
      continue;
    }
    countEntry(ctx, at);
    yield descriptor ? { name, body } : { name, storedBytes: h.compressedSize, body };
    await body.drain();
  }
}

async function* stored(reader: ByteReader, h: LocalHeader, name: string, archive: string): AsyncGenerator<Uint8Array> {
  let done = 0;
  try {
    for await (const chunk of reader.stream(h.compressedSize, `the data of zip entry "${name}"`)) {
      done += chunk.length;
      yield chunk;
    }
  } catch (err) {
    throw archiveError(err, { archive, entry: name, entryOffset: done });
  }
}

/**
 * Inflates a deflate entry. With its size known, exactly that many bytes are fed; with a data
 * descriptor, the rest of the archive is fed until the deflate stream ends, the input it did not
 * use is put back, and the descriptor after it is read and checked against what was inflated.
 */
async function* inflated(
  reader: ByteReader,
  h: LocalHeader,
  name: string,
  ctx: ArchiveContext,
  onDecoded: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  const { archive, limits } = ctx;
  const descriptor = (h.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  const start = reader.offset;
  const where = `zip entry ${name} in ${archive}`;
  let consumed = 0;
  let decoded = 0;
  const input = descriptor ? reader.rest() : reader.stream(h.compressedSize, `the data of zip entry "${name}"`);
  try {
    yield* pumpZlib(input, () => zlib.createInflateRaw({ chunkSize: 64 * 1024 }), {
      check(total, used) {
        onDecoded(total - decoded);
        decoded = total;
        consumed = used;
        checkInflated(where, limits, decoded, consumed);
      },
      onEnd(used) {
        consumed = used;
      },
      onUnused: (tail) => reader.unread(tail),
      mapError(err, used) {
        // With a descriptor the rest of the archive was fed: an early end is the archive's end.
        const reason =
          err.code !== 'Z_BUF_ERROR'
            ? `archive ${archive} is corrupt: corrupt deflate data in ${name}: ${err.message}`
            : descriptor
              ? `archive ${archive} is truncated: the deflate data of ${name} ended at its byte ${used}`
              : `archive ${archive} is corrupt: the deflate data of ${name} is cut short at its stored size ${h.compressedSize}`;
        return new MalformedInputError({ file: name, byteOffset: used }, reason, { cause: err });
      },
    });
    if (!descriptor) {
      // The deflate stream may end before the stored size: skip to the entry's end.
      await reader.skip(start + h.compressedSize - reader.offset, `the data of zip entry "${name}"`);
      return;
    }
    await readDescriptor(reader, h, name, archive, consumed, decoded);
  } catch (err) {
    throw archiveError(err, { archive, entry: name, entryOffset: reader.offset - start });
  }
}

/**
 * The data descriptor after a bit-3 entry: optional signature, crc-32, then sizes of 4 bytes, or 8
 * for zip64. Which layout is told by the sizes matching what was just inflated.
 * Example (python zipfile, streamed): 50 4b 07 08 <crc 4> 1f 00 00 00 40 00 00 00
 */
async function readDescriptor(
  reader: ByteReader,
  h: LocalHeader,
  name: string,
  archive: string,
  compressed: number,
  size: number,
): Promise<void> {
  const b = await reader.peek(24);
  const layouts: Array<[offset: number, wide: boolean]> = [];
  if (b.length >= 4 && u32(b, 0) === DATA_DESCRIPTOR) layouts.push([4, false], [4, true]);
  layouts.push([0, false], [0, true]);
  if (h.zip64) layouts.sort((x, y) => Number(y[1]) - Number(x[1]));
  for (const [sig, wide] of layouts) {
    const len = sig + 4 + (wide ? 16 : 8);
    if (b.length < len) continue;
    const c = wide ? u64(b, sig + 4) : u32(b, sig + 4);
    const u = wide ? u64(b, sig + 12) : u32(b, sig + 8);
    if (c === compressed && u === size) {
      await reader.skip(len);
      return;
    }
  }
  if (b.length < (h.zip64 ? 20 : 12)) {
    throw new TruncatedInputError(
      { file: archive, byteOffset: reader.offset + b.length },
      `input ended inside the data descriptor of zip entry "${name}"`,
    );
  }
  throw new MalformedInputError(
    { file: name, byteOffset: compressed },
    `archive ${archive} is corrupt: the data descriptor of ${name} does not match its ${compressed} compressed, ${size} inflated bytes`,
  );
}
