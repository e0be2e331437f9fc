import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PerfSample } from '../../model/perf.js';
import { parsePerfScript } from '../../parsers/perf-script/index.js';
import { gunzip } from '../../parsers/gzip.js';
import { MarkAssistBlame, RUNTIME_ONLY } from './mark-assist.js';

function sample(syms: string[], period?: number, extra: Partial<PerfSample> = {}): PerfSample {
  return { kind: 'sample', line: 1, comm: 'p', tid: 1, event: 'task-clock', payload: '', ...(period === undefined ? {} : { period }), frames: syms.map((symbol) => ({ symbol })), ...extra };
}

test('boxed sample: real mark-assist blame', async () => {
  const file = fileURLToPath(new URL('../../../test/fixtures/samples/mapstress-boxed/perf.script.txt.gz', import.meta.url));
  const m = new MarkAssistBlame();
  await parsePerfScript(gunzip(createReadStream(file), { file }), m, { file });
  const r = m.result();
  // 1413 task-clock samples of period 250000; 9 with gcAssistAlloc, 45 in GC work.
  assert.equal(r.totalWeight, 1413 * 250000);
  assert.equal(r.assistWeight, 9 * 250000);
  assert.equal(r.gcWeight, 45 * 250000);
  assert.deepEqual(r.functions.map((f) => [f.name, f.weight / 250000]), [
    ['compress/flate.(*compressor).init', 5],
    ['main.boxed', 2],
    ['bytes.(*Buffer).grow', 1],
    ['reflect.unsafe_New', 1],
  ]);
  assert.equal(r.functions.reduce((a, f) => a + f.share, 0), 1);
});

test('blames the first non-runtime frame above the allocator entry', () => {
  const m = new MarkAssistBlame();
  m.sample(sample(['runtime.gcDrainN', 'runtime.gcAssistAlloc1', 'runtime.gcAssistAlloc.func1', 'runtime.systemstack.abi0', 'runtime.gcAssistAlloc', 'runtime.mallocgc', 'runtime.newobject', 'runtime.makemap_small', 'main.boxed', 'main.main', 'runtime.main'], 3));
  m.sample(sample(['runtime.gcAssistAlloc', 'runtime.mallocgc', 'runtime.growslice', 'main.appendy', 'main.main']));
  m.sample(sample(['runtime.gcAssistAlloc', 'runtime.mallocgc', 'runtime.mapassign_fast64', 'main.put']));
  m.sample(sample(['runtime.gcAssistAlloc', 'runtime.mallocgc', 'runtime.convTstring', 'fmt.Sprint']));
  m.sample(sample(['runtime.gcAssistAlloc', 'runtime.mallocgc', 'runtime.makeslice', 'main.put']));
  // No non-runtime frame above the allocator.
  m.sample(sample(['runtime.gcAssistAlloc', 'runtime.mallocgc', 'runtime.newobject', 'runtime.gcenable']));
  const r = m.result();
  assert.equal(r.assistWeight, 8);
  assert.equal(r.totalWeight, 8);
  assert.equal(r.gcWeight, 8);
  assert.deepEqual(r.functions.map((f) => [f.name, f.weight]), [
    ['main.boxed', 3], ['main.put', 2], [RUNTIME_ONLY, 1], ['fmt.Sprint', 1], ['main.appendy', 1],
  ]);
  assert.equal(r.functions[0]!.share, 3 / 8);
  assert.equal(m.result(2).functions.length, 2);
});

test('skips tracepoint samples; gcWeight counts every GC-work function; weight defaults to 1', () => {
  const m = new MarkAssistBlame();
  m.sample(sample(['runtime.gcAssistAlloc', 'runtime.mallocgc', 'main.x'], 100, { event: 'syscalls:sys_enter_bpf', tracepoint: { type: 'sys_enter', syscall: 'bpf', args: {} } }));
  m.sample(sample(['runtime.scanobject', 'runtime.gcDrain', 'runtime.gcBgMarkWorker']));
  m.sample(sample(['runtime.markroot']));
  m.sample(sample(['runtime.gcMarkTermination.func1']));
  m.sample(sample(['main.main'], 5));
  const r = m.result();
  assert.deepEqual(r, { assistWeight: 0, totalWeight: 8, gcWeight: 3, functions: [] });
});

test('kept names are copies, not slices of the input', () => {
  const m = new MarkAssistBlame();
  const big = 'x'.repeat(1000) + 'main.f';
  m.sample(sample(['runtime.gcAssistAlloc', 'runtime.mallocgc', big.slice(1000)]));
  assert.equal(m.result().functions[0]!.name, 'main.f');
});
