// SPEC §9 bombs: archive size, decoded size and ratio (gzip single and nested, a tar.gz whose entry
// is a bomb), zip bombs (entries sharing one local file, quoted overlap) and files per archive. Each
// ends with an error that names the file, the offset, the limit and its setting.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { analyze, type AnalysisOutcome } from '../../shared/analyses/analyze.js';
import { DEFAULT_LIMITS, type Limits } from '../../shared/limits.js';
import { fromBuffer, type ByteSource } from '../../shared/parsers/bytes.js';
import { readArchive } from '../../shared/parsers/archive/index.js';
import { boxedArchive } from '../helpers/samples.js';
import { gzipZeros, manyEntriesTar, overlappingZip, quotedOverlapZip, tarOf } from '../helpers/bombs.js';

const limits = (l: Partial<Limits>): Limits => ({ ...DEFAULT_LIMITS, ...l });
const run = (name: string, body: ByteSource, l?: Partial<Limits>): Promise<AnalysisOutcome> =>
  analyze([{ name, body }], l ? { limits: limits(l) } : {});

function assertLimit(message: string | undefined, limit: string, setting: string, file: string): void {
  assert.ok(message, 'an error');
  assert.match(message, new RegExp(`${limit} \\d+ exceeds the limit of \\d+`), message);
  assert.ok(message.includes(setting), message);
  assert.ok(message.includes(file), message);
  assert.match(message, /\(byte \d+\)/, message);
}

const RATIO = 'TRACELENS_LIMIT_COMPRESSION_RATIO';
let gib: Buffer; // gzip of 1 GiB of zeros, about 1 MB

before(async () => {
  gib = await gzipZeros(1024 ** 3);
});

describe('gzip bombs', () => {
  it('a gzip of 1 GiB of zeros fails the analysis on the ratio', async () => {
    const out = await run('zeros.gz', fromBuffer(gib, 64 * 1024));
    assertLimit(out.error?.message, 'compressionRatio', RATIO, 'zeros.gz');
  });

  it('with the ratio raised, the decoded size stops it', async () => {
    const out = await run('zeros.gz', fromBuffer(gib, 64 * 1024), { compressionRatio: 1e9, decodedBytes: 64 * 1024 ** 2 });
    assertLimit(out.error?.message, 'decodedBytes', 'TRACELENS_LIMIT_DECODED_BYTES', 'zeros.gz');
  });

  it('a gzip of a gzip of zeros: the inner stream is stopped on the ratio', async () => {
    const nested = zlib.gzipSync(gib, { level: 9 });
    const out = await run('nested.gz', fromBuffer(nested));
    const input = out.result.inputs[0]!;
    assertLimit(out.error?.message ?? input.error, 'compressionRatio', RATIO, 'nested.gz');
    assert.ok(out.result.dataQuality.some((d) => d.rule === 'DQ001' && d.message.includes(RATIO)) || out.error);
  });

  it('layers that each pass the ratio are held to it together (gzip in gzip, each ~40x)', async () => {
    // Text-like data compresses ~40x; gzip of gzip of it again does little, so build each layer from
    // a deflate of a repeating pattern bounded by level 1.
    const inner = zlib.gzipSync(Buffer.alloc(8 * 1024 ** 2, 'abcdefgh'), { level: 1 }); // ~ 30-40 KB
    const outer = zlib.gzipSync(Buffer.concat(Array.from({ length: 40 }, () => inner)), { level: 9 });
    const l = { compressionRatio: 200 };
    const out = await run('layered.gz', fromBuffer(outer), l);
    const message = out.error?.message ?? out.result.inputs[0]?.error;
    assert.ok(message?.includes(RATIO), message);
  });

  it('a tar.gz whose entry is a gzip bomb: that entry fails on the ratio, the others are read', async () => {
    const tgz = zlib.gzipSync(tarOf([{ name: 'notes.txt', data: Buffer.from('hello\n') }, { name: 'bomb.gz', data: gib }]));
    const out = await run('bomb.tar.gz', fromBuffer(tgz));
    const bomb = out.result.inputs.find((i) => i.name === 'bomb.gz');
    assertLimit(out.error?.message ?? bomb?.error, 'compressionRatio', RATIO, 'bomb.gz');
    assert.ok(out.result.inputs.some((i) => i.name === 'notes.txt'));
  });
});

describe('zip bombs', () => {
  it('central-directory entries sharing one local file: read once, from the front; the kernel fails the ratio', async () => {
    const zip = await overlappingZip(64 * 1024 ** 2, 200);
    const out = await run('overlap.zip', fromBuffer(zip));
    assertLimit(out.error?.message, 'compressionRatio', RATIO, 'overlap.zip');
  });

  it('with no ratio limit, overlapping entries do not multiply the output', async () => {
    const kernel = 16 * 1024 ** 2;
    const zip = await overlappingZip(kernel, 200);
    let total = 0;
    let entries = 0;
    for await (const e of readArchive(fromBuffer(zip), { name: 'overlap.zip', limits: limits({ compressionRatio: 1e9 }) })) {
      entries++;
      for await (const c of e.body) total += c.length;
    }
    assert.equal(entries, 1);
    assert.equal(total, kernel);
  });

  it('quoted overlap (each local header quoted in the one before): the ratio stops it', async () => {
    const { zip } = await quotedOverlapZip(64 * 1024 ** 2, 50);
    const out = await run('quoted.zip', fromBuffer(zip));
    assertLimit(out.error?.message, 'compressionRatio', RATIO, 'quoted.zip');
  });

  it('quoted overlap with no ratio limit: one entry, the kernel inflated once', async () => {
    const kernel = 16 * 1024 ** 2;
    const { zip, firstSize } = await quotedOverlapZip(kernel, 50);
    let total = 0;
    let entries = 0;
    for await (const e of readArchive(fromBuffer(zip), { name: 'quoted.zip', limits: limits({ compressionRatio: 1e9 }) })) {
      entries++;
      for await (const c of e.body) total += c.length;
    }
    assert.equal(entries, 1); // the other 49 local headers are data of the first
    assert.equal(total, firstSize);
    assert.ok(total < kernel + 50 * 64);
  });
});

describe('archive size and files per archive', () => {
  it('an archive over archiveBytes fails naming the setting', async () => {
    const out = await run('boxed.tar.gz', fromBuffer(boxedArchive(), 4096), { archiveBytes: 100_000 });
    assertLimit(out.error?.message, 'archiveBytes', 'TRACELENS_LIMIT_ARCHIVE_BYTES', 'boxed.tar.gz');
  });

  it('a tar of a million tiny entries fails at entry 10 001 (streamed, never whole)', async () => {
    const out = await run('many.tar', manyEntriesTar(1_000_000));
    assertLimit(out.error?.message, 'entries', 'TRACELENS_LIMIT_ENTRIES', 'many.tar');
    assert.match(out.error!.message, /entries 10001 exceeds the limit of 10000/);
    assert.equal(out.result.inputs.length, 10_000); // the partial report
  });

  it('100 000 entries stream through the reader when the limit allows them', async () => {
    // (A million take ~80 s here: the reader costs ~80 µs an entry; the entries limit is what bounds it.)
    let n = 0;
    let bytes = 0;
    for await (const e of readArchive(manyEntriesTar(100_000), { name: 'many.tar', limits: limits({ entries: 2_000_000 }) })) {
      n++;
      for await (const c of e.body) bytes += c.length;
    }
    assert.equal(n, 100_000);
    assert.equal(bytes, 50_000);
  });

  it('decodedBytes holds over all entries together', async () => {
    const tar = tarOf(Array.from({ length: 4 }, (_, i) => ({ name: `part${i}.txt`, data: Buffer.alloc(400_000, 0x61) })));
    const out = await run('parts.tar', fromBuffer(tar), { decodedBytes: 1_000_000 });
    assertLimit(out.error?.message, 'decodedBytes', 'TRACELENS_LIMIT_DECODED_BYTES', 'part2.txt');
  });
});
