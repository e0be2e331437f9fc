import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { LimitExceededError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { collect, fromBuffer, fromNodeStream } from './bytes.js';
import { GzipError, gunzip, isGzip, parseGzipHeader } from './gzip.js';

const fixture = (path: string) => readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url));
const perfGz = fixture('samples/mapstress-boxed/perf.script.txt.gz');
const escape = fixture('samples/mapstress-boxed/escape.txt');
const CHUNK_SIZES = [1, 7, 512, Number.POSITIVE_INFINITY];
const chunked = (buf: Uint8Array, size: number) => fromBuffer(buf, Math.min(size, Math.max(buf.length, 1)));

describe('gunzip', () => {
  const perf = zlib.gunzipSync(perfGz);
  for (const size of CHUNK_SIZES) {
    describe(`chunks of ${size}`, () => {
      it('decodes the real perf script sample', async () => {
        const out = await collect(gunzip(chunked(perfGz, size), { file: 'perf.script.txt.gz' }));
        assert.equal(out.length, perf.length);
        assert.ok(Buffer.from(out).equals(perf));
      });

      it('reports a truncated stream at the compressed byte where it ended', async () => {
        for (const cut of [0, 9, 10, 4321, 200_000, perfGz.length - 1]) {
          await assert.rejects(collect(gunzip(chunked(perfGz.subarray(0, cut), size), { file: 'perf.script.txt.gz' })), (err: unknown) => {
            assert.ok(err instanceof GzipError, String(err));
            assert.equal(err.truncated, true);
            assert.deepEqual(err.position, { file: 'perf.script.txt.gz', byteOffset: cut });
            assert.equal(err.reason, 'gzip stream truncated');
            return true;
          });
        }
      });

      it('reports corrupt data with the compressed bytes it is in', async () => {
        // Two members; the second's first deflate block gets the invalid block type 11 (RFC 1951 §3.2.3).
        const first = zlib.gzipSync(escape);
        const second = Buffer.from(zlib.gzipSync(escape));
        second[10] = 0x07; // BFINAL=1, BTYPE=11
        const faultAt = first.length + 10;
        await assert.rejects(collect(gunzip(chunked(Buffer.concat([first, second]), size), { file: 'x.gz' })), (err: unknown) => {
          assert.ok(err instanceof GzipError, String(err));
          assert.equal(err.truncated, false);
          assert.match(err.reason, /^corrupt gzip data: invalid block type/);
          assert.ok(err.position.byteOffset! <= faultAt, `offset ${err.position.byteOffset} after the fault at ${faultAt}`);
          const span = /in compressed bytes (\d+)-(\d+)/.exec(err.reason);
          if (span) assert.ok(Number(span[1]) <= faultAt && faultAt <= Number(span[2]), err.reason);
          else assert.equal(err.position.byteOffset, faultAt);
          return true;
        });
      });

      it('decodes every member of a multi-member stream and ignores zero padding', async () => {
        const multi = fixture('archive/multi-member.txt.gz');
        const gctrace = fixture('samples/mapstress-boxed/gctrace.txt');
        const padded = Buffer.concat([multi, Buffer.alloc(1000)]);
        const out = await collect(gunzip(chunked(padded, size), { file: 'multi-member.txt.gz' }));
        assert.ok(Buffer.from(out).equals(Buffer.concat([escape, gctrace])));
      });
    });
  }

  it('stops a 200 MB zero bomb within the first MiBs, quickly', async () => {
    // gzip of 200 MB of zeros, compressed as the test reads it (never held whole).
    async function* zeros() {
      const mib = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < 200; i++) yield mib;
    }
    const bomb = fromNodeStream(Readable.from(zeros()).pipe(zlib.createGzip({ level: 9 })));
    const started = Date.now();
    let decoded = 0;
    await assert.rejects(
      (async () => {
        for await (const c of gunzip(bomb, { file: 'bomb.gz' })) decoded += c.length;
      })(),
      (err: unknown) => {
        assert.ok(err instanceof LimitExceededError, String(err));
        assert.equal(err.limit, 'compressionRatio');
        assert.equal(err.max, DEFAULT_LIMITS.compressionRatio);
        assert.ok(err.value > 200, `ratio ${err.value}`);
        return true;
      },
    );
    assert.ok(decoded <= 2 * 1024 * 1024, `decoded ${decoded} bytes before stopping`);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it('enforces decodedBytes', async () => {
    const limits = { ...DEFAULT_LIMITS, decodedBytes: 100_000 };
    await assert.rejects(collect(gunzip(fromBuffer(perfGz), { file: 'perf.script.txt.gz', limits })), (err: unknown) => {
      assert.ok(err instanceof LimitExceededError);
      assert.equal(err.limit, 'decodedBytes');
      return true;
    });
  });

  it('reports stored bytes about every MiB and at the end', async () => {
    const noise = zlib.gzipSync(randomBytes(3 * 1024 * 1024 + 12345), { level: 1 });
    const seen: number[] = [];
    await collect(gunzip(fromBuffer(noise, 64 * 1024), { file: 'noise.gz', onStoredBytes: (n) => seen.push(n) }));
    assert.equal(seen.at(-1), noise.length);
    assert.ok(seen.length >= 3 && seen.length <= 5, `reports: ${seen.join(', ')}`);
    for (let i = 1; i < seen.length - 1; i++) assert.ok(seen[i]! - seen[i - 1]! >= 1024 * 1024);
  });
});

describe('gzip header', () => {
  it('sniffs the magic', () => {
    assert.equal(isGzip(perfGz), true);
    assert.equal(isGzip(escape), false);
    assert.equal(isGzip(Uint8Array.of(0x1f, 0x8b)), false);
  });

  it('reads FNAME when gzip recorded one', () => {
    assert.equal(parseGzipHeader(fixture('archive/fname.gz'))?.name, 'gctrace-from-fname.txt');
    const none = parseGzipHeader(fixture('archive/no-fname.txt.gz'));
    assert.deepEqual(none, { headerBytes: 10 });
    assert.equal(parseGzipHeader(fixture('archive/fname.gz').subarray(0, 20)), undefined);
  });
});
