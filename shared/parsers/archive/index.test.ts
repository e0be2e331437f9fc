import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { LimitExceededError, MalformedInputError } from '../../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../limits.js';
import { ByteReader, collect, fromBuffer, type ByteSource } from '../bytes.js';
import { detectKind } from '../detect.js';
import { gunzip, isGzip } from '../gzip.js';
import { readArchive, type ContainerFormat } from './index.js';
import { seededBytes } from '../../../test/helpers/samples.js';

const fixture = (path: string) => readFileSync(new URL(`../../../test/fixtures/${path}`, import.meta.url));
const sample = (name: string) => fixture(`samples/mapstress-boxed/${name}`);
const CHUNK_SIZES = [1, 7, 512, Number.POSITIVE_INFINITY];
const chunked = (buf: Uint8Array, size: number) => fromBuffer(buf, Math.min(size, Math.max(buf.length, 1)));
const LONG =
  'run/ci-job-4711/mapstress-boxed-traces-recorded-on-kernel-6.1-with-perf-6.1-and-go-1.19/escape-analysis/escape-with-gcflags-m.txt';

interface Got {
  format?: ContainerFormat;
  entries: Array<{ name: string; storedBytes?: number; body: Buffer }>;
}

/** Reads every entry; `read` decides how much of each body the consumer takes. */
async function readAll(source: ByteSource, name: string, read: 'all' | 'none' | 'first-chunk' = 'all', limits?: Limits): Promise<Got> {
  const got: Got = { entries: [] };
  const opts = { name, onFormat: (f: ContainerFormat) => (got.format = f), ...(limits ? { limits } : {}) };
  for await (const e of readArchive(source, opts)) {
    const parts: Uint8Array[] = [];
    if (read === 'all') for await (const c of e.body) parts.push(c);
    if (read === 'first-chunk') {
      for await (const c of e.body) {
        parts.push(c);
        break;
      }
    }
    got.entries.push({ name: e.name, ...(e.storedBytes !== undefined ? { storedBytes: e.storedBytes } : {}), body: Buffer.concat(parts) });
  }
  return got;
}

/**
 * Fixture cases: the entries each container holds, as [name, content, storedBytes?]. Deflated sizes
 * (439, 323) are the compressed sizes `unzip -lv` lists for escape.txt and gctrace.txt.
 */
type Expected = Array<[name: string, content: Buffer, storedBytes?: number]>;
const escape = sample('escape.txt');
const gctrace = sample('gctrace.txt');
const sched = sample('sched-latency.txt');
const heap = sample('heap.pb.gz');
const CASES: Array<{ file: string; format: ContainerFormat; entries: Expected }> = [
  { file: 'gnu-longname.tar', format: 'tar', entries: [['gctrace.txt', gctrace, gctrace.length], [LONG, escape, escape.length]] },
  { file: 'pax-path.tar', format: 'tar', entries: [['gctrace.txt', gctrace, gctrace.length], [LONG, escape, escape.length]] },
  { file: 'ustar-prefix.tar', format: 'tar', entries: [[LONG, escape, escape.length], ['gctrace.txt', gctrace, gctrace.length]] },
  { file: 'v7.tar', format: 'tar', entries: [['gctrace.txt', gctrace], ['sched-latency.txt', sched]] },
  { file: 'dirs-and-links.tar', format: 'tar', entries: [['d/escape.txt', escape], ['d/hard.txt', gctrace]] },
  { file: 'dot-slash-names.tar', format: 'tar', entries: [['gctrace.txt', gctrace], ['sched-latency.txt', sched]] },
  { file: 'no-end-blocks.tar', format: 'tar', entries: [['gctrace.txt', gctrace], ['sched-latency.txt', sched]] },
  { file: 'nested-gzip-entry.tar.gz', format: 'tar.gz', entries: [['gctrace.txt', gctrace], ['heap.pb.gz', heap, heap.length]] },
  { file: 'fname.gz', format: 'gzip', entries: [['gctrace-from-fname.txt', gctrace]] },
  { file: 'no-fname.txt.gz', format: 'gzip', entries: [['no-fname.txt', sched]] },
  { file: 'multi-member.txt.gz', format: 'gzip', entries: [['multi-member.txt', Buffer.concat([escape, gctrace])]] },
  { file: 'deflate.zip', format: 'zip', entries: [['heap.pb.gz', heap, heap.length], ['traces/escape.txt', escape, 439], ['traces/gctrace.txt', gctrace, 323]] },
  { file: 'stored.zip', format: 'zip', entries: [['heap.pb.gz', heap, heap.length], ['traces/escape.txt', escape, escape.length], ['traces/gctrace.txt', gctrace, gctrace.length]] },
  { file: 'streamed.zip', format: 'zip', entries: [['traces/escape.txt', escape], ['traces/gctrace.txt', gctrace]] },
  { file: 'deflate-data-descriptor.zip', format: 'zip', entries: [['escape.txt', escape], ['gctrace.txt', gctrace]] },
  { file: 'zip64.zip', format: 'zip', entries: [['escape.txt', escape, 439], ['gctrace.txt', gctrace, 323]] },
  { file: 'zip64-data-descriptor.zip', format: 'zip', entries: [['escape.txt', escape], ['gctrace.txt', gctrace]] },
  { file: 'stored-zip64.zip', format: 'zip', entries: [['escape.txt', escape, escape.length], ['gctrace.txt', gctrace, gctrace.length]] },
  { file: 'empty.zip', format: 'zip', entries: [] },
];

function assertEntries(got: Got, format: ContainerFormat, expected: Expected, bodies: 'all' | 'none' | 'first-chunk'): void {
  assert.equal(got.format, format);
  // Writers order entries their own way (zip -r sorts differently from tar --sort=name): compare by name.
  const actual = [...got.entries].sort((a, b) => a.name.localeCompare(b.name));
  const want = [...expected].sort((a, b) => a[0].localeCompare(b[0]));
  assert.deepEqual(actual.map((e) => e.name), want.map((e) => e[0]));
  actual.forEach((e, i) => {
    const [name, content, storedBytes] = want[i]!;
    if (storedBytes !== undefined) assert.equal(e.storedBytes, storedBytes, `${name} storedBytes`);
    if (bodies === 'all') assert.ok(e.body.equals(content), `${name}: ${e.body.length} bytes, expected ${content.length}`);
    if (bodies === 'first-chunk') assert.ok(content.subarray(0, e.body.length).equals(e.body), `${name}: first chunk`);
    if (bodies === 'none') assert.equal(e.body.length, 0);
  });
}

describe('readArchive', () => {
  for (const size of CHUNK_SIZES) {
    describe(`chunks of ${size}`, () => {
      for (const c of CASES) {
        it(`${c.file}: reads every entry`, async () => {
          const got = await readAll(chunked(fixture(`archive/${c.file}`), size), c.file);
          assertEntries(got, c.format, c.entries, 'all');
        });
      }

      it('moves on when the consumer skips bodies or reads only part of them', async () => {
        for (const c of CASES) {
          for (const mode of ['none', 'first-chunk'] as const) {
            const got = await readAll(chunked(fixture(`archive/${c.file}`), size), c.file, mode);
            assertEntries(got, c.format, c.entries, mode);
          }
        }
      });

      it('reads the boxed sample archive.tar.gz: 7 entries, their sizes, their kinds', async () => {
        const kinds: string[] = [];
        const names: string[] = [];
        for await (const e of readArchive(chunked(sample('archive.tar.gz'), size), { name: 'archive.tar.gz' })) {
          names.push(e.name);
          const original = sample(e.name);
          assert.equal(e.storedBytes, original.length, e.name);
          const stored = new ByteReader(e.body);
          const gzipped = isGzip(await stored.peek(3));
          const decoded = new ByteReader(gzipped ? gunzip(stored.rest(), { file: e.name }) : stored.rest());
          const head = await decoded.peek(64 * 1024);
          kinds.push(detectKind(head, { name: e.name.replace(/\.gz$/, ''), eof: head.length < 64 * 1024 }) ?? 'need more');
          const rest = await collect(decoded.rest());
          assert.equal(rest.length, (gzipped ? zlib.gunzipSync(original) : original).length, e.name);
        }
        assert.deepEqual(names, ['perf.script.txt.gz', 'heap.pb.gz', 'cpu.pb.gz', 'escape.txt', 'escape-m2.txt', 'gctrace.txt', 'sched-latency.txt']);
        assert.deepEqual(kinds, ['perf-script', 'pprof', 'pprof', 'go-escape', 'go-escape', 'gctrace', 'perf-sched-latency']);
      });

      it('a loose file is one entry named after it', async () => {
        const got = await readAll(chunked(escape, size), 'traces/escape.txt');
        assertEntries(got, 'file', [['traces/escape.txt', escape]], 'all');
      });

      it('random bytes are one file entry, detected as unknown', async () => {
        const noise = seededBytes(20_000, 42);
        let kind: string | undefined;
        const got: Got = { entries: [] };
        for await (const e of readArchive(chunked(noise, size), { name: 'noise.bin', onFormat: (f) => (got.format = f) })) {
          const body = Buffer.from(await collect(e.body));
          kind = detectKind(body.subarray(0, 64 * 1024), { name: e.name, eof: true });
          got.entries.push({ name: e.name, body });
        }
        assertEntries(got, 'file', [['noise.bin', noise]], 'all');
        assert.equal(kind, 'unknown');
      });

      it('truncated.tar.gz names the entry cut short, where its bytes stopped', async () => {
        const file = fixture('archive/truncated.tar.gz');
        // What the cut gzip still decodes to, whatever the chunking.
        const decodable = zlib.gunzipSync(file, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).length;
        await assert.rejects(readAll(chunked(file, size), 'truncated.tar.gz'), (err: unknown) => {
          assert.ok(err instanceof MalformedInputError, String(err));
          // heap.pb.gz (named first on tar's command line) is cut after its 512-byte header.
          assert.deepEqual(err.position, { file: 'heap.pb.gz', byteOffset: decodable - 512 });
          assert.equal(err.reason, 'archive truncated.tar.gz is truncated: gzip stream ended at compressed byte 1500');
          return true;
        });
      });

      it('a tar cut inside an entry names the entry', async () => {
        await assert.rejects(readAll(chunked(fixture('archive/cut-mid-entry.tar'), size), 'cut-mid-entry.tar'), (err: unknown) => {
          assert.ok(err instanceof MalformedInputError, String(err));
          // head -c $((512 + 1536 + 512 + 1000)): 1000 bytes of the second entry's data are there
          assert.deepEqual(err.position, { file: 'sched-latency.txt', byteOffset: 1000 });
          assert.match(err.reason, /^archive cut-mid-entry\.tar is truncated: input ended 829 bytes short of the data of tar entry "sched-latency.txt"/);
          return true;
        });
      });

      it('a bad tar header checksum is an error of the archive, after the good entries', async () => {
        const seen: string[] = [];
        await assert.rejects(
          (async () => {
            for await (const e of readArchive(chunked(fixture('archive/bad-checksum.tar'), size), { name: 'bad-checksum.tar' })) seen.push(e.name);
          })(),
          (err: unknown) => {
            assert.ok(err instanceof MalformedInputError, String(err));
            assert.deepEqual(err.position, { file: 'bad-checksum.tar', byteOffset: 2048 });
            assert.equal(err.reason, 'archive bad-checksum.tar is corrupt: bad checksum in the tar header of "sched-latency.txt"');
            return true;
          },
        );
        assert.deepEqual(seen, ['gctrace.txt']);
      });

      it('a truncated zip names the entry cut short', async () => {
        const file = fixture('archive/truncated.zip');
        const dataStart = file.indexOf('heap.pb.gz') + 'heap.pb.gz'.length; // stored entry, no extra field (zip -X)
        await assert.rejects(readAll(chunked(file, size), 'truncated.zip'), (err: unknown) => {
          assert.ok(err instanceof MalformedInputError, String(err));
          assert.deepEqual(err.position, { file: 'heap.pb.gz', byteOffset: file.length - dataStart });
          assert.match(err.reason, /^archive truncated\.zip is truncated: /);
          return true;
        });
      });

      it('a zip without its central directory is truncated', async () => {
        const file = fixture('archive/deflate.zip');
        const cd = file.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
        await assert.rejects(readAll(chunked(file.subarray(0, cd), size), 'cut.zip'), (err: unknown) => {
          assert.ok(err instanceof MalformedInputError);
          assert.deepEqual(err.position, { file: 'cut.zip', byteOffset: cd });
          assert.equal(err.reason, `archive cut.zip is truncated: it ends at byte ${cd} without a central directory`);
          return true;
        });
      });

      it('a stored zip entry with a data descriptor, or another method, is an error naming the entry', async () => {
        await assert.rejects(readAll(chunked(fixture('archive/stored-data-descriptor.zip'), size), 'stored-data-descriptor.zip'), (err: unknown) => {
          assert.ok(err instanceof MalformedInputError);
          assert.deepEqual(err.position, { file: 'escape.txt', byteOffset: 0 });
          assert.equal(err.reason, 'archive stored-data-descriptor.zip: a stored zip entry with a data descriptor has no size to read it by');
          return true;
        });
        await assert.rejects(readAll(chunked(fixture('archive/bzip2-method.zip'), size), 'bzip2-method.zip'), (err: unknown) => {
          assert.ok(err instanceof MalformedInputError);
          assert.equal(err.position.file, 'escape.txt');
          assert.equal(err.reason, 'archive bzip2-method.zip: unsupported zip compression method 12 (bzip2)');
          return true;
        });
      });
    });
  }

  it('the real sample cut inside perf.script.txt.gz names that entry', async () => {
    const cut = sample('archive.tar.gz').subarray(0, 200_000);
    const decodable = zlib.gunzipSync(cut, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).length;
    await assert.rejects(readAll(fromBuffer(cut, 4096), 'archive.tar.gz'), (err: unknown) => {
      assert.ok(err instanceof MalformedInputError, String(err));
      assert.deepEqual(err.position, { file: 'perf.script.txt.gz', byteOffset: decodable - 512 });
      assert.equal(err.reason, 'archive archive.tar.gz is truncated: gzip stream ended at compressed byte 200000');
      return true;
    });
  });

  it('an empty source is one empty entry', async () => {
    const got = await readAll(fromBuffer(new Uint8Array(0)), 'empty.txt');
    assertEntries(got, 'file', [['empty.txt', Buffer.alloc(0)]], 'all');
  });

  it('a body read after the archive moved on throws', async () => {
    const it = readArchive(fromBuffer(fixture('archive/v7.tar')), { name: 'v7.tar' });
    const first = (await it.next()).value!;
    await it.next();
    await assert.rejects(collect(first.body), /body read after the archive moved on/);
    await it.return(undefined);
  });

  it('enforces entries, archiveBytes and the ratio of a zip entry', async () => {
    const limits = (l: Partial<Limits>) => ({ ...DEFAULT_LIMITS, ...l });
    await assert.rejects(readAll(fromBuffer(fixture('archive/v7.tar')), 'v7.tar', 'all', limits({ entries: 1 })), (err: unknown) => {
      assert.ok(err instanceof LimitExceededError);
      assert.deepEqual([err.limit, err.value, err.max], ['entries', 2, 1]);
      return true;
    });
    await assert.rejects(readAll(fromBuffer(sample('archive.tar.gz'), 4096), 'archive.tar.gz', 'none', limits({ archiveBytes: 100_000 })), (err: unknown) => {
      assert.ok(err instanceof LimitExceededError);
      assert.equal(err.limit, 'archiveBytes');
      return true;
    });
    // A zip whose one deflate entry is 8 MiB of zeros (about 8 KiB stored).
    const bomb = zipOf('zeros.bin', Buffer.alloc(8 * 1024 * 1024));
    await assert.rejects(readAll(fromBuffer(bomb), 'bomb.zip', 'none'), (err: unknown) => {
      assert.ok(err instanceof LimitExceededError, String(err));
      assert.equal(err.limit, 'compressionRatio');
      return true;
    });
  });

  it('passes a source error through the gunzip, and closes the source when the consumer stops', async () => {
    const archive = sample('archive.tar.gz');
    async function* failing() {
      yield* fromBuffer(archive.subarray(0, 100_000), 4096);
      throw new Error('connection reset');
    }
    await assert.rejects(readAll(failing(), 'archive.tar.gz'), /connection reset/);

    let closed = false;
    async function* watched() {
      try {
        yield* fromBuffer(archive, 4096);
      } finally {
        closed = true;
      }
    }
    for await (const e of readArchive(watched(), { name: 'archive.tar.gz' })) {
      assert.equal(e.name, 'perf.script.txt.gz');
      break;
    }
    assert.equal(closed, true);
  });

  it('reports stored bytes about every MiB and at the end', async () => {
    const noise = seededBytes(3 * 1024 * 1024 + 5, 7);
    const seen: number[] = [];
    for await (const e of readArchive(fromBuffer(noise, 64 * 1024), { name: 'noise.bin', onStoredBytes: (n) => seen.push(n) })) {
      await collect(e.body);
    }
    assert.deepEqual(seen, [1024 * 1024, 2 * 1024 * 1024, 3 * 1024 * 1024, noise.length]);
  });
});

/** A one-entry zip (deflate, sizes in the local header), written by hand after APPNOTE §4.3.7. */
function zipOf(name: string, content: Buffer): Buffer {
  const data = zlib.deflateRawSync(content);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(8, 8);
  header.writeUInt32LE(data.length, 18);
  header.writeUInt32LE(content.length, 22);
  header.writeUInt16LE(name.length, 26);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  return Buffer.concat([header, Buffer.from(name), data, end]);
}
