/**
 * tar: ustar, GNU and v7 archives, read as a stream of 512-byte blocks.
 * Format: POSIX.1-2017 pax/ustar, https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06
 * and GNU tar's extensions, https://www.gnu.org/software/tar/manual/html_node/Standard.html
 *
 * Header block (offsets in bytes):
 *   0 name[100]  100 mode[8]  108 uid[8]  116 gid[8]  124 size[12]  136 mtime[12]  148 chksum[8]
 *   156 typeflag  157 linkname[100]  257 magic[6]  263 version[2]  265 uname[32]  297 gname[32]
 *   329 devmajor[8]  337 devminor[8]  345 prefix[155] (ustar only; GNU puts atime/ctime there)
 * Each entry's data follows its header, padded to 512 bytes. The archive ends with two zero blocks
 * (often padded further to 10240 bytes); an archive that simply ends after an entry is accepted.
 */
import { MalformedInputError } from '../../errors.js';
import type { ByteReader } from '../bytes.js';
import { archiveError, countEntry, EntryBody, normalizeEntryName, type ArchiveContext, type ArchiveEntry } from './entry.js';

export const BLOCK = 512;
/** pax extended headers and GNU long names larger than this are refused (they are a few hundred bytes). */
const MAX_META_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** A header block's fields that the reader uses. */
interface TarHeader {
  /** `prefix/name` for ustar, `name` otherwise; raw (not normalized). */
  path: string;
  size: number;
  type: string;
}

// typeflag values (ustar, pax, GNU).
const REGULAR = new Set(['0', '\0', '7']); // '7' contiguous file: a regular file everywhere we care
const PAX_NEXT = 'x';
const GNU_LONGNAME = 'L';
/** Meta entries that say nothing about the next file's name or size: pax global headers, GNU long link names. */
const META_IGNORED = new Set(['g', 'K']);

/** NUL-terminated text field. Example: name `perf.script.txt.gz\0\0...`. */
function text(block: Uint8Array, at: number, len: number, decoder = utf8): string {
  const field = block.subarray(at, at + len);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

/**
 * Numeric field: octal ASCII, NUL or space terminated (size `00000013546\0` = 6000), or GNU
 * base-256 when the top bit of the first byte is set (sizes of 8 GiB and more: `80 00 .. 02 00 00 00 00`).
 * Returns undefined for a field that is neither.
 */
function numeric(block: Uint8Array, at: number, len: number): number | undefined {
  const field = block.subarray(at, at + len);
  if (field[0]! & 0x80) {
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const s = latin1.decode(field).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]+$/.test(s)) return s === '' ? 0 : undefined;
  return parseInt(s, 8);
}

/** Unsigned and signed sums of the block with the checksum field (148..156) read as spaces. */
function checksums(block: Uint8Array): [number, number] {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return [unsigned, signed];
}

/** True when the block's stored checksum (`0011224\0 `) matches its content. */
function validChecksum(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  const stored = latin1.decode(block.subarray(148, 156)).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]+$/.test(stored)) return false;
  const [unsigned, signed] = checksums(block);
  const n = parseInt(stored, 8);
  return n === unsigned || n === signed;
}

/** `ustar\0` (POSIX) or `ustar ` (GNU, followed by ` \0`) at offset 257. */
function hasUstarMagic(block: Uint8Array): boolean {
  return (
    block.length >= 263 &&
    block[257] === 0x75 && // u
    block[258] === 0x73 && // s
    block[259] === 0x74 && // t
    block[260] === 0x61 && // a
    block[261] === 0x72 && // r
    (block[262] === 0 || block[262] === 0x20)
  );
}

/** Sniffs the first block: ustar/GNU magic, or an old v7 header with a name and a valid checksum. */
export function isTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false;
  if (hasUstarMagic(head)) return true;
  return head[0] !== 0 && validChecksum(head);
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function parseHeader(block: Uint8Array, at: number, archive: string): TarHeader {
  const name = text(block, 0, 100);
  const bad = (what: string) =>
    new MalformedInputError({ file: archive, byteOffset: at }, `archive ${archive} is corrupt: ${what} in the tar header of "${name}"`);
  if (!validChecksum(block)) throw bad('bad checksum');
  const size = numeric(block, 124, 12);
  if (size === undefined) throw bad('bad size field');
  // POSIX ustar (`ustar\0` `00`) splits long paths into prefix + name; GNU (`ustar  \0`) does not.
  const posix = hasUstarMagic(block) && block[262] === 0;
  const prefix = posix ? text(block, 345, 155) : '';
  return { path: prefix ? `${prefix}/${name}` : name, size, type: String.fromCharCode(block[156]!) };
}

/**
 * pax extended header records, `"%d %s=%s\n"` with the length counting the whole record.
 * Example: `30 path=very/long/dir/file.txt\n`, `20 size=8589934592\n`.
 */
function parsePax(body: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const len = space < 0 ? NaN : Number(latin1.decode(body.subarray(at, space)));
    if (!Number.isInteger(len) || len <= 0 || at + len > body.length || body[at + len - 1] !== 0x0a) {
      if (body.subarray(at).every((b) => b === 0)) break; // NUL padding after the last record
      throw new Error(`bad pax record at byte ${at} of the extended header`);
    }
    const record = utf8.decode(body.subarray(space + 1, at + len - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

/**
 * Reads tar entries from `reader`, positioned at the first header. Meta entries (pax, GNU long
 * names) apply to the entry after them; only regular files are yielded.
 */
export async function* readTar(reader: ByteReader, ctx: ArchiveContext): AsyncGenerator<ArchiveEntry> {
  const { archive } = ctx;
  let longName: string | undefined;
  let pax = new Map<string, string>();
  const between = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw archiveError(err, { archive });
    }
  };

  for (;;) {
    const at = reader.offset;
    // An archive may end right after an entry, without the end-of-archive blocks.
    if (await between(() => reader.atEnd())) return;
    const block = await between(() => reader.readExactly(BLOCK, 'a tar header'));
    if (isZeroBlock(block)) return;
    const h = parseHeader(block, at, archive);
    const size = pax.has('size') ? Number(pax.get('size')) : h.size;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new MalformedInputError({ file: archive, byteOffset: at }, `archive ${archive} is corrupt: bad entry size ${pax.get('size') ?? h.size}`);
    }
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;

    if (h.type === PAX_NEXT || h.type === GNU_LONGNAME) {
      if (size > MAX_META_BYTES) {
        throw new MalformedInputError({ file: archive, byteOffset: at }, `archive ${archive} is corrupt: a ${size}-byte tar meta entry`);
      }
      const body = await between(() => reader.readExactly(size + padding, `the tar meta entry "${h.path}"`));
      if (h.type === GNU_LONGNAME) {
        longName = text(body, 0, size); // `././@LongLink` entry: the next entry's name, NUL-terminated
      } else {
        try {
          pax = parsePax(body.subarray(0, size));
        } catch (err) {
          throw new MalformedInputError({ file: archive, byteOffset: at }, `archive ${archive} is corrupt: ${(err as Error).message}`);
        }
      }
      continue;
    }
    if (META_IGNORED.has(h.type)) {
      await between(() => reader.skip(size + padding, `the tar meta entry "${h.path}"`));
      continue;
    }

    const path = pax.get('path') ?? longName ?? h.path;
    longName = undefined;
    pax = new Map();
    // Old v7 archives mark directories with a trailing slash on a regular-file type.
    if (!REGULAR.has(h.type) || path.endsWith('/')) {
      // directories, links, devices, fifos, GNU sparse/volume/dump-dir/multi-volume: skipped with their data
      await between(() => reader.skip(size + padding, `the data of tar entry "${path}"`));
      continue;
    }

    countEntry(ctx, at);
    // Names are labels: an entry named `.`, `/` or nothing still gets one.
    const name = normalizeEntryName(path) || `[entry ${ctx.entries}]`;
    const body = new EntryBody(entryData(reader, size, name, archive), name);
    yield { name, storedBytes: size, body };
    await body.drain();
    await between(() => reader.skip(padding, `the padding of tar entry "${name}"`));
  }
}

async function* entryData(reader: ByteReader, size: number, name: string, archive: string): AsyncGenerator<Uint8Array> {
  let done = 0;
  try {
    for await (const chunk of reader.stream(size, `the data of tar entry "${name}"`)) {
      done += chunk.length;
      yield chunk;
    }
  } catch (err) {
    throw archiveError(err, { archive, entry: name, entryOffset: done });
  }
}
