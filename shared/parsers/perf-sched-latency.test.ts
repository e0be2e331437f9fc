// The `perf sched latency` parser over recorded perf 6.1 output, the mapstress samples (boxed: its
// `mapstress:(5)` row exactly; struct: read in place), lines written to older perfs' printf formats
// and malformed input; every fixture re-read in chunks of 1 and 7 bytes gives identical results.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { fromBuffer } from './bytes.js';
import { decimalToInt, parsePerfSchedLatency, splitTask, type PerfSchedLatencyResult } from './perf-sched-latency.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/perf-sched-latency');
const BOXED = join(ROOT, 'test/fixtures/samples/mapstress-boxed/sched-latency.txt');
const STRUCT = '/work/shared/samples/mapstress/struct/sched-latency.txt';

const parse = (bytes: Uint8Array, chunk = 64 * 1024, maxLineBytes?: number): Promise<PerfSchedLatencyResult> =>
  parsePerfSchedLatency(fromBuffer(bytes, chunk), { file: 'test', ...(maxLineBytes ? { maxLineBytes } : {}) });
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const rowLines = (bytes: Uint8Array) =>
  Buffer.from(bytes).toString('utf8').split('\n').filter((l) => /\| avg:/.test(l)).length;

describe('perf sched latency: samples', () => {
  test('boxed: the mapstress:(5) row exactly, TOTAL and INFO', async () => {
    const r = await parse(readFileSync(BOXED));
    assert.deepEqual(r.warnings, []);
    assert.equal(r.tasks.length, 8);
    assert.deepEqual(
      r.tasks.find((t) => t.comm === 'mapstress'),
      {
        task: 'mapstress:(5)',
        comm: 'mapstress',
        threads: 5,
        runtimeNs: 0,
        switches: 214,
        avgDelayNs: 204_000,
        maxDelayNs: 4_413_000,
        maxDelayStartNs: 528_576_127_000,
        maxDelayEndNs: 528_580_540_000,
      },
    );
    assert.deepEqual(r.tasks[0], {
      task: ':38:38',
      comm: '',
      pid: 38,
      runtimeNs: 0,
      switches: 1,
      avgDelayNs: 1_122_000,
      maxDelayNs: 1_122_000,
      maxDelayStartNs: 528_254_532_000,
      maxDelayEndNs: 528_255_654_000,
    });
    assert.deepEqual(r.total, { runtimeMs: 0, switches: 221 });
    assert.equal(r.tasks.reduce((s, t) => s + t.switches, 0), 221);
    assert.deepEqual(r.info, ['INFO: 380.882% context switch bugs (518 out of 136)']);
  });

  test('struct (read in place)', { skip: !existsSync(STRUCT) && 'no struct sample here' }, async () => {
    const bytes = readFileSync(STRUCT);
    const r = await parse(bytes);
    assert.deepEqual(r.warnings, []);
    assert.equal(r.tasks.length, rowLines(bytes));
    const m = r.tasks.find((t) => t.comm === 'mapstress')!;
    assert.equal(m.threads, 5);
    assert.equal(m.switches, 44);
    assert.equal(m.maxDelayNs, 290_000);
    assert.deepEqual(r.total, { runtimeMs: 0, switches: 48 });
    assert.deepEqual(r.info, ['INFO: 1578.378% context switch bugs (584 out of 37)']);
  });
});

describe('perf sched latency: fixtures', () => {
  const cases = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).sort();

  test('every row of every clean fixture is a task, with a TOTAL that sums them', async () => {
    assert.ok(cases.length >= 7, cases.join(' '));
    for (const name of cases.filter((c) => c !== 'malformed.txt')) {
      const bytes = fixture(name);
      const r = await parse(bytes);
      assert.deepEqual(r.warnings, [], name);
      assert.equal(r.tasks.length, rowLines(bytes), name);
      assert.ok(r.total, name);
      assert.equal(r.tasks.reduce((s, t) => s + t.switches, 0), r.total.switches, name);
      const runtimeUs = r.tasks.reduce((s, t) => s + t.runtimeNs / 1000, 0);
      assert.ok(Math.abs(runtimeUs - r.total.runtimeMs * 1000) <= r.tasks.length, name); // per-row rounding
      assert.ok(r.info.length >= 1, name);
      for (const t of r.tasks) {
        assert.ok(Number.isInteger(t.runtimeNs) && Number.isInteger(t.avgDelayNs) && Number.isInteger(t.maxDelayNs), name);
        assert.ok(t.avgDelayNs <= t.maxDelayNs, `${name} ${t.task}`);
        assert.ok((t.pid === undefined) !== (t.threads === undefined), `${name} ${t.task}`);
      }
    }
  });

  test('perf 6.1, default: merged by comm, comms with colons and slashes', async () => {
    const r = await parse(fixture('perf6.1-sleep.txt'));
    const byTask = new Map(r.tasks.map((t) => [t.task, t]));
    assert.deepEqual(byTask.get('sed:22288'), {
      task: 'sed:22288', comm: 'sed', pid: 22288, runtimeNs: 1_263_000, switches: 1, avgDelayNs: 37_000,
      maxDelayNs: 37_000, maxDelayStartNs: 9_820_348_171_000, maxDelayEndNs: 9_820_348_209_000,
    });
    assert.equal(byTask.get('memfd:sealed-91:(4)')!.comm, 'memfd:sealed-91');
    assert.equal(byTask.get('memfd:sealed-91:(4)')!.threads, 4);
    assert.deepEqual(splitTask('kworker/0:0-vir:17338'), { comm: 'kworker/0:0-vir', pid: 17338 });
    assert.equal(byTask.get(':70:70')!.comm, '');
    // perf prints 0.000000 s when the worst delay had no wakeup recorded: kept as 0.
    assert.equal(byTask.get('sleep:22279')!.maxDelayStartNs, 0);
    assert.deepEqual(r.total, { runtimeMs: 31.626, switches: 36 });
  });

  test('perf 6.1, -p and --sort max: one row per thread / sorted by max', async () => {
    const p = await parse(fixture('perf6.1-sleep-per-pid.txt'));
    assert.ok(p.tasks.every((t) => t.threads === undefined && t.pid !== undefined));
    const s = await parse(fixture('perf6.1-sleep-sort-max.txt'));
    const maxes = s.tasks.map((t) => t.maxDelayNs);
    assert.deepEqual(maxes, [...maxes].sort((a, b) => b - a));
  });

  test('comms with spaces (and a colon)', async () => {
    const r = await parse(fixture('perf6.1-comm-spaces.txt'));
    const w = r.tasks.find((t) => t.task.startsWith('map worker'))!;
    assert.deepEqual([w.task, w.comm, w.pid], ['map worker:7:22592', 'map worker:7', 22592]);
    const rr = r.tasks.find((t) => t.comm === 'ring reader')!;
    assert.deepEqual([rr.task, rr.threads, rr.switches], ['ring reader:(3)', 3, 5]);
    const p = await parse(fixture('perf6.1-comm-spaces-per-pid.txt'));
    assert.equal(p.tasks.filter((t) => t.comm === 'ring reader').length, 3);
  });

  test('older perf: `max at:` is the end of the worst delay; no start', async () => {
    const r = await parse(fixture('perf4.x-max-at.txt'));
    assert.deepEqual(r.tasks[0], {
      task: 'perf:(2)', comm: 'perf', threads: 2, runtimeNs: 1_759_000, switches: 4, avgDelayNs: 37_000,
      maxDelayNs: 126_000, maxDelayEndNs: 234_604_618_000,
    });
    assert.equal(r.tasks[3]!.maxDelayEndNs, 991_962_948_070_000);
    assert.deepEqual(r.tasks[2]!.comm, 'kworker/0:1-eve');
    assert.equal(r.info.length, 3);
    assert.equal(r.info[1], 'INFO: 0.500% state machine bugs (3 out of 600) (due to lost events?)');
  });

  test('oldest perf: no timestamp columns', async () => {
    const r = await parse(fixture('perf3.x-no-timestamps.txt'));
    assert.deepEqual(r.tasks[1], {
      task: 'rm:(10)', comm: 'rm', threads: 10, runtimeNs: 20_955_000, switches: 10, avgDelayNs: 11_212_000,
      maxDelayNs: 19_598_000,
    });
    assert.deepEqual(r.total, { runtimeMs: 24.146, switches: 11 });
  });

  test('malformed lines are warnings with their line numbers; CRLF and a last line without newline read', async () => {
    const r = await parse(fixture('malformed.txt'));
    assert.deepEqual(r.tasks.map((t) => t.task), ['good:1', 'crlf:4']);
    assert.deepEqual(r.warnings.map((w) => w.line), [5, 6, 7]);
    assert.match(r.warnings[0]!.message, /cut:2/);
    assert.equal(r.tasks[1]!.maxDelayEndNs, 2_000_020_000);
    assert.deepEqual(r.total, { runtimeMs: 3.5, switches: 4 });
    assert.deepEqual(r.info, ['INFO: 1.000% context switch bugs (1 out of 100)']);
  });

  test('never throws: garbage, empty input, an over-long line', async () => {
    assert.deepEqual(await parse(new Uint8Array()), { tasks: [], info: [], warnings: [] });
    const junk = await parse(Buffer.from('\x00\xff binary\n|||\n'));
    assert.equal(junk.warnings.length, 2);
    const long = await parse(Buffer.from(`  a:1 | 1.000 ms | 1 | avg: 0.001 ms | max: 0.001 ms\n${'x'.repeat(100)}\nb:2\n`), 7, 64);
    assert.equal(long.tasks.length, 1);
    assert.equal(long.warnings.length, 1);
    assert.equal(long.warnings[0]!.line, 2);
  });

  test('chunks of 1 and 7 bytes give identical results', async () => {
    for (const bytes of [...cases.map(fixture), readFileSync(BOXED), ...(existsSync(STRUCT) ? [readFileSync(STRUCT)] : [])]) {
      const whole = await parse(bytes);
      assert.deepEqual(await parse(bytes, 1), whole);
      assert.deepEqual(await parse(bytes, 7), whole);
    }
  });

  test('decimals to integers without float error', () => {
    assert.equal(decimalToInt('528.576127', 9), 528_576_127_000);
    assert.equal(decimalToInt('0.204', 6), 204_000);
    assert.equal(decimalToInt('4.413', 6), 4_413_000);
    assert.equal(decimalToInt('12', 6), 12_000_000);
    assert.equal(decimalToInt('0.0000005', 6), 1);
  });
});
