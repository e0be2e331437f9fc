// The gctrace parser over real runtime output: every file of test/fixtures/gctrace against its golden
// `<case>.expected.json` (UPDATE_GOLDEN=1 rewrites them; review the diff), re-read in chunks of 1, 7
// and 4096 bytes; the mapstress samples (boxed: its first cycle exactly; struct: read in place).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { fromBuffer } from './bytes.js';
import { msToNs, parseGcTrace, summarizeGcTrace, type GcTraceResult } from './gctrace.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/gctrace');
const BOXED = join(ROOT, 'test/fixtures/samples/mapstress-boxed/gctrace.txt');
const STRUCT = '/work/shared/samples/mapstress/struct/gctrace.txt';
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const MIB = 1 << 20;
const CASES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.txt') && f !== 'gcrec.go.txt')
  .sort();

const golden = (name: string) => name.replace(/\.txt$/, '.expected.json');
async function parse(bytes: Uint8Array, chunk = 64 * 1024, opts: { maxLineBytes?: number } = {}): Promise<GcTraceResult> {
  return parseGcTrace(fromBuffer(bytes, chunk), { file: 'test', ...opts });
}
const gcLines = (bytes: Uint8Array) => (Buffer.from(bytes).toString('utf8').match(/gc \d+ @/g) ?? []).length;

describe('gctrace fixtures (golden)', () => {
  test('the fixture folder has its cases and their goldens', () => {
    assert.ok(CASES.length >= 6, CASES.join(' '));
    for (const name of CASES) assert.ok(UPDATE || existsSync(join(FIXTURES, golden(name))), `missing ${golden(name)}`);
  });

  for (const name of CASES) {
    test(name, async () => {
      const bytes = readFileSync(join(FIXTURES, name));
      const whole = await parse(bytes);
      const json = `${JSON.stringify(whole, null, 2)}\n`;
      const path = join(FIXTURES, golden(name));
      if (UPDATE) writeFileSync(path, json);
      assert.deepEqual(JSON.parse(json), JSON.parse(readFileSync(path, 'utf8')));
      for (const chunk of [1, 7, 4096]) assert.deepEqual(await parse(bytes, chunk), whole, `chunk ${chunk}`);
      for (const c of whole.cycles) {
        for (const v of [c.startNs ?? 0, c.sweepTermNs, c.markNs, c.markTermNs, c.heapBeforeBytes, c.heapLiveBytes]) {
          assert.ok(Number.isSafeInteger(v) && v >= 0, `${name} cycle ${c.n}: ${v}`);
        }
      }
    });
  }
});

describe('gctrace: recorded Go 1.19 output', () => {
  test('program output interleaved, gc lines glued after text without a newline', async () => {
    const bytes = readFileSync(join(FIXTURES, 'go1.19-mixed-output.txt'));
    const r = await parse(bytes);
    assert.equal(r.cycles.length, gcLines(bytes));
    assert.deepEqual(r.cycles.map((c) => c.n), r.cycles.map((_, i) => i + 1));
    assert.deepEqual(r.warnings, []);
    const glued = r.cycles[0]!; // `progress 0gc 1 @0.000s 15%: 0.031+0.28+0.069 ms clock, ...`
    assert.equal(glued.startNs, 0);
    assert.equal(glued.gcCpuPercent, 15);
    assert.deepEqual([glued.sweepTermNs, glued.markNs, glued.markTermNs], [31_000, 280_000, 69_000]);
    assert.ok(r.cycles.some((c) => c.forced));
    assert.ok(r.otherLines > 20);
    assert.ok(r.cycles.every((c) => c.form === 'go1.6' && c.stacksBytes === 0 && c.globalsBytes === 0));
  });

  test('gcpacertrace lines are counted, even glued after program text', async () => {
    const bytes = readFileSync(join(FIXTURES, 'go1.19-gcpacertrace.txt'));
    const r = await parse(bytes);
    const text = bytes.toString('utf8');
    assert.equal(r.pacer, (text.match(/pacer: /g) ?? []).length);
    assert.equal(r.cycles.length, gcLines(bytes));
    assert.deepEqual(r.warnings, []);
  });
});

describe('gctrace: samples', () => {
  test('mapstress-boxed: one cycle per `gc N @` line; the first exactly; cycle 9 forced', async () => {
    const bytes = readFileSync(BOXED);
    const r = await parse(bytes);
    assert.equal(r.cycles.length, gcLines(bytes));
    assert.equal(r.cycles.length, 9);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.cycles[0], {
      n: 1,
      startNs: 36_000_000,
      sweepTermNs: 59_000,
      markNs: 810_000,
      markTermNs: 54_000,
      clockPhasesNs: [59_000, 810_000, 54_000],
      cpu: { sweepTermNs: 110_000, assistNs: 130_000, backgroundNs: 180_000, idleNs: 270_000, markTermNs: 100_000 },
      heapBeforeBytes: 3 * MIB,
      heapAfterBytes: 3 * MIB,
      heapLiveBytes: 1 * MIB,
      heapGoalBytes: 4 * MIB,
      stacksBytes: 0,
      globalsBytes: 0,
      procs: 2,
      forced: false,
      gcCpuPercent: 0,
      form: 'go1.6',
      inputLine: 1,
    });
    const ninth = r.cycles[8]!;
    assert.equal(ninth.n, 9);
    assert.equal(ninth.forced, true);
    assert.equal(ninth.startNs, 334_000_000);
    assert.equal(r.cycles.filter((c) => c.forced).length, 1);
    for (const chunk of [1, 7]) assert.deepEqual(await parse(bytes, chunk), r);
    assert.equal(summarizeGcTrace(r).gcCpuShare, 0);
  });

  test('mapstress struct: its single background cycle and the forced one', { skip: !existsSync(STRUCT) && 'sample not present' }, async () => {
    const bytes = readFileSync(STRUCT);
    const r = await parse(bytes);
    assert.equal(r.cycles.length, 2);
    assert.deepEqual(r.warnings, []);
    assert.equal(r.cycles[0]!.startNs, 142_000_000);
    assert.equal(r.cycles[0]!.markNs, 3_700_000);
    assert.deepEqual(r.cycles.map((c) => c.forced), [false, true]);
    for (const chunk of [1, 7]) assert.deepEqual(await parse(bytes, chunk), r);
  });
});

describe('gctrace: forms and edge cases', () => {
  test('Go 1.5 five phases fold into the three of the model', async () => {
    const r = await parse(readFileSync(join(FIXTURES, 'go1.5-five-phase.txt')));
    const c = r.cycles[0]!; // 0.040+0.89+0.005+0.48+0.062 ms clock, 0.12+0.89+0+0.69/0.002/0.26+0.18 ms cpu
    assert.equal(c.form, 'go1.5');
    assert.deepEqual([c.sweepTermNs, c.markNs, c.markTermNs], [40_000, 890_000 + 5_000 + 480_000, 62_000]);
    assert.deepEqual(c.cpu, { sweepTermNs: 120_000 + 890_000, assistNs: 690_000, backgroundNs: 2_000, idleNs: 260_000, markTermNs: 180_000 });
    assert.equal(c.stacksBytes, null);
    assert.equal(r.cycles[2]!.forced, true);
  });

  test('Go 1.6–1.17 lines without stacks and globals; whole-ms values; scvg lines', async () => {
    const r = await parse(readFileSync(join(FIXTURES, 'go1.6-no-stacks.txt')));
    assert.equal(r.cycles.length, 4);
    assert.equal(r.scavenger, 2);
    assert.equal(r.cycles[2]!.markNs, 12_000_000);
    assert.equal(r.cycles[2]!.startNs, 12_500_000_000);
    assert.equal(r.cycles[3]!.startNs, 132_004_000_000);
    assert.equal(r.cycles[2]!.heapBeforeBytes, 180 * MIB);
    assert.ok(r.cycles.every((c) => c.stacksBytes === null && c.globalsBytes === null && c.procs === 4));
    assert.deepEqual(r.warnings, []);
  });

  test('Go ≤ 1.4 lines: no start time, no cpu split', async () => {
    const r = await parse(readFileSync(join(FIXTURES, 'go1.4-old.txt')));
    assert.equal(r.cycles.length, 2);
    const c = r.cycles[1]!; // gc2(4): 51+2+1102+26 us, 5 -> 10 MB, ...
    assert.deepEqual([c.n, c.procs, c.startNs, c.cpu], [2, 4, null, null]);
    assert.deepEqual(c.clockPhasesNs, [51_000, 2_000, 1_102_000, 26_000]);
    assert.deepEqual([c.heapBeforeBytes, c.heapAfterBytes], [5 * MIB, 10 * MIB]);
    assert.equal(r.scavenger, 1);
    assert.equal(summarizeGcTrace(r).gcCpuShare, null);
  });

  test('malformed gc lines are warnings with their line numbers; nothing throws', async () => {
    const r = await parse(readFileSync(join(FIXTURES, 'malformed.txt')));
    assert.deepEqual(r.cycles.map((c) => [c.n, c.inputLine]), [[1, 2], [3, 5], [4, 10], [5, 11]]);
    assert.deepEqual(r.warnings.map((w) => w.line), [3, 5, 6]);
    assert.equal(r.cycles[2]!.markNs, 1_200_000_000); // 1.2e+03 ms
    assert.equal(r.cycles[3]!.procs, 8); // CRLF, no final newline, glued after text
    assert.deepEqual([r.pacer, r.scavenger], [2, 1]);
    assert.equal(r.otherLines, 2); // `program says hello`, `->1 MB, ... 2 P` (the cut line's tail)
  });

  test('a line longer than maxLineBytes keeps its tail (a glued gc line) with a warning', async () => {
    const gc = 'gc 7 @2.000s 3%: 0.1+1+0.2 ms clock, 0.1+0/1/2+0.2 ms cpu, 9->9->4 MB, 10 MB goal, 0 MB stacks, 0 MB globals, 4 P\n';
    const bytes = Buffer.from(`${'x'.repeat(10_000)}${gc}ok\n`);
    for (const chunk of [1, 7, 333, 65536]) {
      const r = await parse(bytes, chunk, { maxLineBytes: 512 });
      assert.deepEqual(r.cycles.map((c) => c.n), [7], `chunk ${chunk}`);
      assert.deepEqual(r.warnings.map((w) => w.line), [1]);
      assert.equal(r.otherLines, 1);
    }
  });

  test('empty input', async () => {
    assert.deepEqual(await parse(new Uint8Array(0)), { cycles: [], scavenger: 0, pacer: 0, otherLines: 0, warnings: [] });
  });

  test('msToNs is exact on the runtime\'s number forms', () => {
    assert.equal(msToNs('0.059'), 59_000);
    assert.equal(msToNs('0.81'), 810_000);
    assert.equal(msToNs('12'), 12_000_000);
    assert.equal(msToNs('0'), 0);
    assert.equal(msToNs('1.2e+03'), 1_200_000_000);
    assert.equal(msToNs('0.0000005'), 1);
  });
});
