/**
 * Hostile inputs for the limit tests (SPEC §9), made on the fly: gzip bombs (single and nested), zip
 * bombs (entries sharing one local file, quoted overlap), tar archives with odd names or a million
 * entries (streamed, never held whole), perf scripts with deep stacks, many stacks or huge lines.
 */
import { createReadStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import zlib from 'node:zlib';
import type { ByteSource } from '../../shared/parsers/bytes.js';

const ZERO_CHUNK = Buffer.alloc(1024 * 1024);

/** `bytes` zero bytes, 1 MiB at a time. */
export function* zeros(bytes: number): Generator<Buffer> {
  for (let left = bytes; left > 0; left -= ZERO_CHUNK.length) yield left >= ZERO_CHUNK.length ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, left);
}

/** gzip of `bytes` zeros, made streaming (1 GiB of zeros is about 1 MB of gzip). */
export async function gzipZeros(bytes: number, level = 9): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(Readable.from(zeros(bytes)), zlib.createGzip({ level }), async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) parts.push(c);
  });
  return Buffer.concat(parts);
}

/** Raw deflate of `bytes` zeros (a zip entry's data). */
export async function deflateZeros(bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(Readable.from(zeros(bytes)), zlib.createDeflateRaw({ level: 9 }), async (source: AsyncIterable<Buffer>) => {
    for await (const c of source) parts.push(c);
  });
  return Buffer.concat(parts);
}

export const FOUR_GIB = 4 * 1024 ** 3;

/**
 * The gzip of 4 GiB of zeros (about 4 MB), made once and kept in os.tmpdir() for later runs.
 * Returns its path.
 */
export async function fourGibZerosGzip(): Promise<string> {
  const path = join(tmpdir(), 'tracelens-test-4GiB-zeros.gz');
  if (existsSync(path) && statSync(path).size > 1_000_000) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  await pipeline(Readable.from(zeros(FOUR_GIB)), zlib.createGzip({ level: 9 }), createWriteStream(tmp));
  renameSync(tmp, path);
  return path;
}

/** A file's bytes as a ByteSource, 64 KiB at a time. */
export function fileSource(path: string): ByteSource {
  return createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>;
}

// ---- tar ----------------------------------------------------------------------------------------

/**
 * One ustar header block for a file of `size` bytes named `name` (raw bytes: up to 100, NULs and
 * all). Type `0` unless given.
 */
export function tarHeader(name: string | Buffer, size: number, type = '0'): Buffer {
  const b = Buffer.alloc(512);
  const raw = typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
  raw.copy(b, 0, 0, Math.min(raw.length, 100));
  b.write('0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write(type, 156, 'latin1');
  b.write('ustar\0' + '00', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}

function padded(data: Buffer): Buffer {
  const pad = (512 - (data.length % 512)) % 512;
  return pad ? Buffer.concat([data, Buffer.alloc(pad)]) : data;
}

/** A pax extended header (`x`) setting the next entry's path (any length, any bytes but NUL-free UTF-8). */
function paxPath(path: string): Buffer {
  const body = (len: number) => `${len} path=${path}\n`;
  let len = Buffer.byteLength(body(0));
  while (Buffer.byteLength(body(len)) !== len) len = Buffer.byteLength(body(len));
  const data = Buffer.from(body(len), 'utf8');
  return Buffer.concat([tarHeader('PaxHeader', data.length, 'x'), padded(data)]);
}

export interface TarFile {
  /** Raw name for the header (100 bytes at most), or `pax` for a pax path of any length. */
  name: string | Buffer;
  pax?: boolean;
  data: Buffer;
}

/** A whole tar archive, end blocks included. */
export function tarOf(files: TarFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    if (f.pax) parts.push(paxPath(String(f.name)));
    parts.push(tarHeader(f.pax ? 'pax-named' : f.name, f.data.length), padded(f.data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/**
 * A tar of `count` tiny entries (`e<i>`, 0 or 1 byte each, alternating), streamed about 1 MiB at a
 * time and made only as fast as it is read: a million entries never exist at once.
 */
export async function* manyEntriesTar(count: number): AsyncGenerator<Uint8Array> {
  let batch: Buffer[] = [];
  let size = 0;
  const one = Buffer.alloc(512, 0);
  one[0] = 0x31; // '1'
  for (let i = 0; i < count; i++) {
    const bytes = i % 2;
    batch.push(tarHeader(`e${i}`, bytes));
    if (bytes) batch.push(one);
    size += 512 * (1 + bytes);
    if (size >= 1024 * 1024) {
      yield Buffer.concat(batch);
      batch = [];
      size = 0;
    }
  }
  batch.push(Buffer.alloc(1024));
  yield Buffer.concat(batch);
}

// ---- zip ----------------------------------------------------------------------------------------

interface ZipLocal {
  name: Buffer;
  method: number;
  crc: number;
  compressed: number;
  size: number;
}

/** crc-32 of `bytes` zeros, going on from `init`. */
function crcZeros(bytes: number, init = 0): number {
  let crc = init;
  for (const c of zeros(bytes)) crc = zlib.crc32(c, crc);
  return crc;
}

function localHeader(e: ZipLocal): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(0x0800, 6); // UTF-8 names
  b.writeUInt16LE(e.method, 8);
  b.writeUInt32LE(e.crc >>> 0, 14);
  b.writeUInt32LE(e.compressed, 18);
  b.writeUInt32LE(e.size, 22);
  b.writeUInt16LE(e.name.length, 26);
  return Buffer.concat([b, e.name]);
}

function centralHeader(e: ZipLocal, offset: number): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(20, 6);
  b.writeUInt16LE(0x0800, 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt32LE(e.crc >>> 0, 16);
  b.writeUInt32LE(e.compressed, 20);
  b.writeUInt32LE(e.size, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt32LE(offset, 42);
  return Buffer.concat([b, e.name]);
}

function endRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(cdSize, 12);
  b.writeUInt32LE(cdOffset, 16);
  return b;
}

/** An ordinary zip of `files`, each stored or deflated (`deflate`), with its central directory. */
export function zipOf(files: { name: string; data: Uint8Array; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const data = f.deflate ? zlib.deflateRawSync(f.data) : Buffer.from(f.data);
    const e: ZipLocal = { name: Buffer.from(f.name), method: f.deflate ? 8 : 0, crc: zlib.crc32(f.data), compressed: data.length, size: f.data.length };
    central.push(centralHeader(e, offset));
    const local = Buffer.concat([localHeader(e), data]);
    locals.push(local);
    offset += local.length;
  }
  const cd = Buffer.concat(central);
  return Buffer.concat([...locals, cd, endRecord(files.length, cd.length, offset)]);
}

/**
 * Full overlap: one local file (`kernel` bytes of zeros, deflated) and `copies` central-directory
 * entries all pointing at it. A reader that follows the central directory inflates it `copies` times.
 */
export async function overlappingZip(kernel: number, copies: number): Promise<Buffer> {
  const data = await deflateZeros(kernel);
  const crc = crcZeros(kernel);
  const local: ZipLocal = { name: Buffer.from('kernel.bin'), method: 8, crc, compressed: data.length, size: kernel };
  const head = Buffer.concat([localHeader(local), data]);
  const cd = Buffer.concat(
    Array.from({ length: copies }, (_, i) => centralHeader({ ...local, name: Buffer.from(`copy-${i}.bin`) }, 0)),
  );
  return Buffer.concat([head, cd, endRecord(copies, cd.length, head.length)]);
}

/**
 * Quoted overlap (Fifield, "A better zip bomb", 2019): file i's deflate data is a stored block that
 * quotes file i+1's local header, then file i+1's data; the last file's data is the kernel. Every
 * file's data thus ends in the one kernel, and each file inflates to the headers after it plus the
 * kernel. Returns the zip and the size file 0 inflates to.
 */
export async function quotedOverlapZip(kernel: number, files: number): Promise<{ zip: Buffer; firstSize: number }> {
  const kernelData = await deflateZeros(kernel);
  const names = Array.from({ length: files }, (_, i) => Buffer.from(`q${String(i).padStart(4, '0')}`));
  // Built back to front: data[i] = stored block quoting header[i+1], then data[i+1].
  const headers: Buffer[] = new Array(files);
  const datas: Buffer[] = new Array(files);
  const sizes: number[] = new Array(files);
  const crcs: number[] = new Array(files);
  const zeroCrc = crcZeros(kernel);
  datas[files - 1] = kernelData;
  sizes[files - 1] = kernel;
  crcs[files - 1] = zeroCrc;
  headers[files - 1] = localHeader({ name: names[files - 1]!, method: 8, crc: zeroCrc, compressed: kernelData.length, size: kernel });
  for (let i = files - 2; i >= 0; i--) {
    const quoted = headers[i + 1]!;
    const block = Buffer.alloc(5);
    block[0] = 0x00; // BFINAL 0, BTYPE 00 (stored)
    block.writeUInt16LE(quoted.length, 1);
    block.writeUInt16LE(~quoted.length & 0xffff, 3);
    datas[i] = Buffer.concat([block, quoted, datas[i + 1]!]);
    sizes[i] = quoted.length + sizes[i + 1]!;
    // crc of quoted ++ the rest: crc32 can go on from a running value.
    crcs[i] = crcZeros(kernel, zlib.crc32(Buffer.concat(headers.slice(i + 1).map((h) => h!))));
    headers[i] = localHeader({ name: names[i]!, method: 8, crc: crcs[i]!, compressed: datas[i]!.length, size: sizes[i]! });
  }
  // Layout: header0 block0 header1 block1 ... header(n-1) kernel: header i+1 is quoted by block i,
  // so it sits inside file i's data.
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  for (let i = 0; i < files; i++) {
    offsets.push(at);
    const own = i < files - 1 ? datas[i]!.subarray(0, 5) : kernelData;
    parts.push(headers[i]!, own);
    at += headers[i]!.length + own.length;
  }
  const body = Buffer.concat(parts);
  const cd = Buffer.concat(
    headers.map((_, i) =>
      centralHeader({ name: names[i]!, method: 8, crc: crcs[i]!, compressed: datas[i]!.length, size: sizes[i]! }, offsets[i]!),
    ),
  );
  return { zip: Buffer.concat([body, cd, endRecord(files, cd.length, body.length)]), firstSize: sizes[0]! };
}

// ---- perf script ---------------------------------------------------------------------------------

/** A perf script sample line. */
function sampleHeader(i: number): string {
  const t = (1000 + i / 1e6).toFixed(6);
  return `mapstress  6341 [001]  ${t}:     250000 task-clock: \n`;
}

/** One sample whose stack is `depth` frames deep (`f0` leaf ... `f<depth-1>` root), then a normal one. */
export function deepStackScript(depth: number): Buffer {
  let s = sampleHeader(0);
  for (let i = 0; i < depth; i++) s += `\t    ${(0x400000 + i).toString(16)} f${i}+0x1 (/bin/mapstress)\n`;
  s += '\n' + sampleHeader(1) + '\t    400000 leaf+0x1 (/bin/mapstress)\n\t    400001 main+0x1 (/bin/mapstress)\n\n';
  return Buffer.from(s);
}

/** `count` samples with `count` distinct stacks (`main;f<i>`), streamed. */
export async function* distinctStacksScript(count: number): AsyncGenerator<Uint8Array> {
  let s = '';
  for (let i = 0; i < count; i++) {
    s += `${sampleHeader(i)}\t    ${(0x500000 + i).toString(16)} f${i}+0x1 (/bin/mapstress)\n\t    400001 main+0x1 (/bin/mapstress)\n\n`;
    if (s.length > 1 << 20) {
      yield Buffer.from(s);
      s = '';
    }
  }
  yield Buffer.from(s);
}

/** A perf script with a line of `lineBytes` bytes (a frame line of `x`) between normal samples. */
export async function* longLineScript(lineBytes: number): AsyncGenerator<Uint8Array> {
  yield Buffer.from(`${sampleHeader(0)}\t    400000 leaf+0x1 (/bin/mapstress)\n\n${sampleHeader(1)}\t    400000 `);
  const x = Buffer.alloc(1024 * 1024, 0x78);
  for (let left = lineBytes; left > 0; left -= x.length) yield left >= x.length ? x : x.subarray(0, left);
  yield Buffer.from(` (/bin/mapstress)\n\n${sampleHeader(2)}\t    400000 leaf+0x1 (/bin/mapstress)\n\n`);
}
