import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { MalformedInputError } from '../errors.js';
import { fromBuffer } from './bytes.js';
import { decodeUtf8Lines, lineBatches, lines } from './lines.js';

const fixture = (path: string) => readFileSync(new URL(`../../test/fixtures/${path}`, import.meta.url));
const CHUNK_SIZES = [1, 7, 512, Number.POSITIVE_INFINITY];
const chunked = (buf: Uint8Array, size: number) => fromBuffer(buf, Math.min(size, Math.max(buf.length, 1)));
const MAX = 1024 * 1024;

async function allLines(buf: Uint8Array, size: number, maxLineBytes = MAX): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines(chunked(buf, size), { file: 't', maxLineBytes })) out.push(Buffer.from(line).toString('utf8'));
  return out;
}

describe('lines', () => {
  const gctrace = fixture('samples/mapstress-boxed/gctrace.txt');
  const expected = gctrace.toString('utf8').split('\n').slice(0, -1); // the file ends with \n

  for (const size of CHUNK_SIZES) {
    describe(`chunks of ${size}`, () => {
      it('splits the real gctrace sample into its lines', async () => {
        assert.deepEqual(await allLines(gctrace, size), expected);
      });

      it('drops \\r of CRLF even across chunks, keeps empty lines and a last line without \\n', async () => {
        const crlf = Buffer.from('a\r\nbb\r\n\r\n\rc\r\nlast');
        assert.deepEqual(await allLines(crlf, size), ['a', 'bb', '', '\rc', 'last']);
      });

      it('refuses a line over the limit with its line number and start offset', async () => {
        const text = Buffer.from(`short\nalso short\n${'x'.repeat(300)}\nnever reached\n`);
        await assert.rejects(allLines(text, size, 100), (err: unknown) => {
          assert.ok(err instanceof MalformedInputError);
          assert.deepEqual(err.position, { file: 't', line: 3, byteOffset: 'short\nalso short\n'.length });
          assert.equal(err.reason, 'line longer than the limit of 100 bytes (lineBytes); set TRACELENS_LIMIT_LINE_BYTES to raise it');
          return true;
        });
        // exactly at the limit is fine
        assert.deepEqual(await allLines(Buffer.from(`${'y'.repeat(100)}\nz`), size, 100), ['y'.repeat(100), 'z']);
      });

      it('decodes UTF-8 characters split across chunks', async () => {
        const out: string[] = [];
        const text = Buffer.from('main.go:1:2: “héllo” → 世界\nok\n');
        for await (const l of decodeUtf8Lines(chunked(text, size), { file: 't', maxLineBytes: MAX })) out.push(l);
        assert.deepEqual(out, ['main.go:1:2: “héllo” → 世界', 'ok']);
      });
    });
  }

  it('stops an endless line without gathering it', async () => {
    let pulled = 0;
    async function* endless() {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      for (;;) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    await assert.rejects(
      (async () => {
        for await (const _ of lines(endless(), { file: 'endless', maxLineBytes: MAX })) assert.fail('no line ends');
      })(),
      (err: unknown) => err instanceof MalformedInputError && err.position.line === 1,
    );
    assert.ok(pulled <= MAX + 64 * 1024, `read ${pulled} bytes`);
  });

  it('batches as many lines as the real perf script has', async () => {
    const perf = zlib.gunzipSync(fixture('samples/mapstress-boxed/perf.script.txt.gz'));
    let n = 0;
    let batches = 0;
    for await (const batch of lineBatches(fromBuffer(perf, 64 * 1024), { file: 'perf.script.txt', maxLineBytes: MAX })) {
      n += batch.length;
      batches++;
    }
    let newlines = 0;
    for (let at = perf.indexOf(10); at >= 0; at = perf.indexOf(10, at + 1)) newlines++;
    assert.equal(n, newlines + (perf.at(-1) === 10 ? 0 : 1));
    assert.equal(batches, Math.ceil(perf.length / (64 * 1024)));
  });
});
