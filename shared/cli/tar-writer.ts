/**
 * A minimal streaming tar writer (POSIX ustar, with pax headers for long or non-ASCII names and for
 * files of 8 GiB or more), for `tracelens pack`. Entries are regular files; their bodies are streamed,
 * never held whole. No dependency: gzip is node:zlib's.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const BLOCK = 512;
/** The largest size the 11 octal digits of a ustar header hold (8 GiB - 1). */
const MAX_USTAR_SIZE = 0o77777777777;

export interface TarEntry {
  /** Path inside the archive: relative, `/`-separated, no `.` or `..` segments. */
  name: string;
  size: number;
  /** Seconds since the epoch; 0 by default (reproducible archives). */
  mtime?: number;
  mode?: number;
  /** The body, streamed: exactly `size` bytes. */
  body: () => AsyncIterable<Uint8Array> | Uint8Array;
}

/** An entry for a file on disk, read in 1 MiB chunks when its turn comes. */
export function fileEntry(name: string, path: string, size: number, mtime?: number): TarEntry {
  return { name, size, ...(mtime !== undefined ? { mtime } : {}), body: () => createReadStream(path, { highWaterMark: 1 << 20 }) };
}

/** The tar stream of `entries`, in the order given, ending with the two zero blocks. */
export async function* tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): AsyncGenerator<Uint8Array> {
  for await (const e of entries) {
    const name = checkName(e.name);
    const pax: Record<string, string> = {};
    const ustarName = splitName(name);
    if (!ustarName) pax.path = name;
    if (e.size > MAX_USTAR_SIZE) pax.size = String(e.size);
    if (Object.keys(pax).length > 0) {
      const records = paxRecords(pax);
      yield header({ name: `PaxHeader/${asciiTail(name, 80)}`, size: records.length, mtime: e.mtime ?? 0, mode: 0o644, type: 'x' });
      yield records;
      if (records.length % BLOCK) yield padding(records.length);
    }
    const fallback = ustarName ?? { name: asciiTail(name, 100), prefix: '' };
    yield header({ ...fallback, size: e.size > MAX_USTAR_SIZE ? 0 : e.size, mtime: e.mtime ?? 0, mode: e.mode ?? 0o644, type: '0' });
    let written = 0;
    const body = e.body();
    for await (const chunk of body instanceof Uint8Array ? [body] : body) {
      written += chunk.byteLength;
      if (written > e.size) throw new Error(`${e.name}: the file grew while being packed (more than ${e.size} bytes)`);
      if (chunk.byteLength > 0) yield chunk;
    }
    if (written !== e.size) throw new Error(`${e.name}: the file shrank while being packed (${written} of ${e.size} bytes)`);
    if (e.size % BLOCK) yield padding(e.size);
  }
  yield new Uint8Array(2 * BLOCK);
}

/**
 * Writes `entries` as a .tar.gz to `outPath`, streaming; `onBytes` sees the compressed bytes as they
 * are written. Resolves to the archive's size.
 */
export async function writeTarGz(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>, outPath: string, onBytes?: (n: number) => void): Promise<number> {
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  await pipeline(Readable.from(tarStream(entries), { objectMode: false }), createGzip({ level: 6 }), count, createWriteStream(outPath));
  return bytes;
}

function checkName(name: string): string {
  const n = name.replace(/\\/g, '/');
  const segments = n.split('/');
  if (n === '' || n.startsWith('/') || /^[A-Za-z]:/.test(n) || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`"${name}" is not a relative path inside the archive`);
  }
  return n;
}

/** ustar's name (100 bytes) and prefix (155 bytes), split at a `/`; undefined when it does not fit or is not ASCII. */
function splitName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]+$/.test(name)) return undefined;
  if (name.length <= 100) return { name, prefix: '' };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (prefix.length <= 155 && rest.length <= 100) return { name: rest, prefix };
  }
  return undefined;
}

function asciiTail(name: string, max: number): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_');
  return ascii.length <= max ? ascii : ascii.slice(ascii.length - max);
}

/** pax records `LEN key=value\n`, where LEN counts the whole record, its own digits included. */
function paxRecords(fields: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const rest = Buffer.byteLength(` ${key}=${value}\n`);
    let len = rest + String(rest).length;
    if (String(len).length !== String(rest).length) len = rest + String(len).length;
    parts.push(Buffer.from(`${len} ${key}=${value}\n`, 'utf8'));
  }
  return Buffer.concat(parts);
}

function header(h: { name: string; prefix?: string; size: number; mtime: number; mode: number; type: string }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, Math.max(0, Math.floor(h.mtime)));
  b.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  b.write(h.type, 156, 1, 'ascii');
  b.write('ustar\u000000', 257, 8, 'ascii');
  if (h.prefix) b.write(h.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'ascii');
  return b;
}

/** A zero-padded octal number in `len - 1` digits and a NUL. */
function octal(b: Buffer, at: number, len: number, n: number) {
  b.write(n.toString(8).padStart(len - 1, '0') + '\u0000', at, len, 'ascii');
}

function padding(size: number): Uint8Array {
  const rem = size % BLOCK;
  return new Uint8Array(rem === 0 ? 0 : BLOCK - rem);
}
