// Folded stacks of real recordings (test/fixtures/fold/<case>.txt, copies of perf-script fixtures named
// by the case they show) against blessed goldens beside them: `<case>.folded` (no options),
// `<case>.tid-all-addrs.folded` (--tid --all --addrs), `<case>.pid-filter-cycles.folded` (--pid
// --event-filter cycles, an event none of them has: what is left are the script's quirks). When
// blessed, every golden was checked byte for byte against stackcollapse-perf.pl on the same file.
// Bless: UPDATE_GOLDEN=1 npm test -- shared/analyses/perf/fold-golden.test.ts, then review the diff.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { PerfScriptSink } from '../../model/perf.js';
import { PerfScriptParser } from '../../parsers/perf-script/index.js';
import { PerfEventFolder, PerfFolder, type FoldOptions } from './fold.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const DIR = join(ROOT, 'test/fixtures/fold');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const VARIANTS: Array<{ suffix: string; opts: FoldOptions }> = [
  { suffix: '', opts: {} },
  { suffix: '.tid-all-addrs', opts: { tid: true, all: true, addrs: true } },
  { suffix: '.pid-filter-cycles', opts: { pid: true, eventFilter: 'cycles' } },
];

/** Folds `bytes` pushed to the parser in chunks of `chunk` bytes, as the fold CLI folds a file. */
function fold(bytes: Uint8Array, opts: FoldOptions, chunk = 1 << 16): string {
  const folder = new PerfFolder(opts);
  const sink: PerfScriptSink = { sample: (s) => folder.sample(s), task: (t) => folder.task(t), warning: (w) => folder.warning(w) };
  const parser = new PerfScriptParser(sink, { file: 'fixture' });
  for (let at = 0; at < bytes.length; at += chunk) parser.push(bytes.subarray(at, at + chunk));
  parser.end();
  return folder.format();
}

function inputs(): Array<{ name: string; path: string }> {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => ({ name: f.slice(0, -4), path: join(DIR, f) }));
}

describe('fold goldens (what stackcollapse-perf.pl prints for our recordings)', () => {
  for (const { name, path } of inputs()) {
    it(name, () => {
      const bytes = readFileSync(path);
      for (const v of VARIANTS) {
        const golden = join(DIR, `${name}${v.suffix}.folded`);
        const actual = fold(bytes, v.opts);
        if (UPDATE) writeFileSync(golden, actual);
        assert.equal(actual, readFileSync(golden, 'utf8'), golden);
      }
    });
  }
});

describe('folding in tiny chunks', () => {
  it('gives the same output for chunks of 1, 2, 3, 7 and 61 bytes', () => {
    for (const { name, path } of inputs()) {
      const bytes = readFileSync(path);
      const whole = fold(bytes, { tid: true, all: true }, bytes.length || 1);
      for (const chunk of [1, 2, 3, 7, 61]) assert.equal(fold(bytes, { tid: true, all: true }, chunk), whole, `${name} in ${chunk}-byte chunks`);
    }
  });

  it('gives the same output on the first 2 MB of the mapstress recording (chunks of 1 to 4099 bytes)', () => {
    const all = zlib.gunzipSync(readFileSync(join(ROOT, 'test/fixtures/samples/mapstress-boxed/perf.script.txt.gz')));
    const bytes = all.subarray(0, 2 << 20);
    const whole = fold(bytes, {});
    assert.ok(whole.split('\n').length > 100);
    for (const chunk of [1, 13, 4099]) assert.equal(fold(bytes, {}, chunk), whole, `${chunk}-byte chunks`);
  });

  it('PerfEventFolder too', () => {
    const path = join(DIR, 'tracepoints-callchain.txt');
    const bytes = readFileSync(path);
    const run = (chunk: number) => {
      const f = new PerfEventFolder({ weighting: 'period' });
      const parser = new PerfScriptParser({ sample: (s) => f.sample(s) }, { file: 'fixture' });
      for (let at = 0; at < bytes.length; at += chunk) parser.push(bytes.subarray(at, at + chunk));
      parser.end();
      return [...f.byEvent()].map(([e, m]) => [e, [...m].sort()]);
    };
    const whole = run(bytes.length);
    assert.ok(whole.length >= 2);
    assert.deepEqual(run(1), whole);
    assert.deepEqual(run(5), whole);
  });
});
