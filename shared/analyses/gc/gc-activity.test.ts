import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PerfSample, PerfTaskEvent } from '../../model/perf.js';
import { GcActivityRecorder } from './gc-activity.js';

function sample(timeNs: bigint, syms: string[], comm = 'averyveryverylongname'.slice(0, 15)): PerfSample {
  return { kind: 'sample', line: 1, comm, tid: 1, timeNs, event: 'cycles', payload: '', frames: syms.map((symbol) => ({ symbol })) };
}
function exec(timeNs: bigint, newComm: string): PerfTaskEvent {
  return { kind: 'task', line: 1, record: 'COMM', comm: newComm, tid: 1, timeNs, detail: '', newComm, exec: true };
}

test('classifies start and mark samples, filters by program (basename, 15-char comm)', () => {
  const rec = new GcActivityRecorder({ program: '/bin/averyveryverylongname' });
  rec.task(exec(100n, 'sh'));
  rec.task(exec(200n, 'averyveryverylo'));
  rec.sample(sample(1000n, ['runtime.futex', 'runtime.stopTheWorldWithSema', 'runtime.gcStart']));
  rec.sample(sample(1500n, ['runtime.stopTheWorldWithSema', 'runtime.gcMarkDone', 'runtime.gcBgMarkWorker']));
  rec.sample(sample(1200n, ['runtime.scanobject', 'runtime.gcDrain', 'runtime.gcBgMarkWorker.func2']));
  rec.sample(sample(900n, ['runtime.stopTheWorldWithSema', 'runtime.GC']));
  rec.sample(sample(800n, ['main.main']));
  rec.sample(sample(700n, ['runtime.gcStart'], 'other'));
  rec.sample(sample(600n, ['runtime.gcDrainN'])); // not a listed function
  const s = rec.summary();
  assert.equal(s.execNs, 200n);
  assert.equal(s.execComm, 'averyveryverylo');
  assert.equal(s.firstSampleNs, 600n);
  assert.equal(s.baseNs, 1000n);
  assert.deepEqual([...s.startTimes], [-100, 0]);
  assert.deepEqual([...s.markTimes], [200, 500]);
  assert.equal(s.gcSamples, 4);
});

test('without a program: first exec, first sample of its comm; times capped', () => {
  const rec = new GcActivityRecorder({ maxTimes: 2 });
  rec.sample(sample(50n, ['x'], 'perf'));
  rec.task(exec(100n, 'prog'));
  rec.task(exec(150n, 'prog2'));
  for (let i = 0; i < 5; i++) rec.sample(sample(BigInt(300 + i), ['runtime.gcStart'], 'prog'));
  const s = rec.summary();
  assert.equal(s.execNs, 100n);
  assert.equal(s.firstSampleNs, 300n);
  assert.equal(s.startTimes.length, 2);
  assert.equal(s.dropped, 3);
  assert.equal(s.gcSamples, 5);
});

test('growth past the initial buffer keeps every time', () => {
  const rec = new GcActivityRecorder();
  for (let i = 3000; i > 0; i--) rec.sample(sample(BigInt(i), ['runtime.scanobject'], 'p'));
  const s = rec.summary();
  assert.equal(s.markTimes.length, 3000);
  assert.equal(s.baseNs, 3000n);
  assert.equal(s.markTimes[0], -2999);
  assert.equal(s.markTimes[2999], 0);
});
