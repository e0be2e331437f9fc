import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import type { GcCycle } from '../../model/gc.js';
import type { PerfSample } from '../../model/perf.js';
import { alignGc, windowsOnPerfClock } from './alignment.js';
import { GcActivityRecorder } from './gc-activity.js';
import { parsePerfScript } from '../../parsers/perf-script/index.js';
import { gunzip } from '../../parsers/gzip.js';
import { parseGcTrace } from '../../parsers/gctrace.js';

const MS = 1_000_000;
const SAMPLES = 'test/fixtures/samples/mapstress-boxed';

function cycle(n: number, startNs: number): GcCycle {
  return {
    n, startNs, sweepTermNs: 50_000, markNs: 800_000, markTermNs: 50_000, clockPhasesNs: [50_000, 800_000, 50_000],
    cpu: null, heapBeforeBytes: 0, heapAfterBytes: 0, heapLiveBytes: 0, heapGoalBytes: null, stacksBytes: null,
    globalsBytes: null, procs: 2, forced: false, gcCpuPercent: 0, form: 'go1.6', inputLine: n,
  };
}

function sample(timeNs: bigint, syms: string[], comm = 'prog'): PerfSample {
  return { kind: 'sample', line: 1, comm, pid: 1, tid: 1, timeNs, event: 'task-clock', payload: '', frames: syms.map((symbol) => ({ symbol })) };
}

/** Deterministic pseudo-random in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const OFFSET = 528_290_123_456; // perf ns of Go time 0

function synth(opts: { missing?: number; noise?: number; seed?: number }) {
  const r = rng(opts.seed ?? 1);
  const cycles: GcCycle[] = [];
  for (let n = 1; n <= 40; n++) cycles.push(cycle(n, n * 37 * MS + Math.floor(r() * 5) * MS));
  const rec = new GcActivityRecorder({ program: 'prog' });
  rec.task({ kind: 'task', line: 1, record: 'COMM', comm: 'prog', tid: 1, timeNs: BigInt(OFFSET - 4 * MS), detail: '', newComm: 'prog', exec: true });
  rec.sample(sample(BigInt(OFFSET - 3 * MS), ['main.main']));
  for (const c of cycles) {
    if (r() < (opts.missing ?? 0)) continue;
    const s = OFFSET + c.startNs!;
    const jitter = Math.round((r() - 0.5) * 60_000);
    rec.sample(sample(BigInt(s + jitter), ['runtime.stopTheWorldWithSema', 'runtime.gcStart', 'runtime.mallocgc']));
    for (let k = 1; k <= 3; k++) rec.sample(sample(BigInt(s + k * 200_000), ['runtime.scanobject', 'runtime.gcDrain', 'runtime.gcBgMarkWorker']));
  }
  for (let k = 0; k < (opts.noise ?? 0); k++) {
    rec.sample(sample(BigInt(OFFSET + Math.floor(r() * 1600 * MS)), ['runtime.gcStart']));
  }
  rec.sample(sample(BigInt(OFFSET), ['runtime.gcStart'], 'other')); // other comm: ignored
  return { cycles, activity: rec.summary() };
}

test('gc-activity recovers a known offset within 100 µs', () => {
  const { cycles, activity } = synth({});
  assert.equal(activity.execNs, BigInt(OFFSET - 4 * MS));
  assert.equal(activity.firstSampleNs, BigInt(OFFSET - 3 * MS));
  const a = alignGc({ cycles, activity });
  assert.equal(a.method, 'gc-activity');
  assert.equal(a.confidence, 'high');
  assert.ok(Math.abs(a.offsetNs - OFFSET) < 100_000, `${a.offsetNs - OFFSET}`);
  assert.ok(a.residualNs < 100_000);
  assert.deepEqual(a.candidates.map((c) => c.method), ['gc-activity', 'exec', 'first-sample']);
});

test('gc-activity with noise and missing activity', () => {
  const { cycles, activity } = synth({ missing: 0.3, noise: 30, seed: 7 });
  const a = alignGc({ cycles, activity });
  assert.equal(a.method, 'gc-activity');
  assert.ok(Math.abs(a.offsetNs - OFFSET) < 100_000, `${a.offsetNs - OFFSET}`);
  assert.notEqual(a.confidence, 'high');
});

test('activity matching few cycles falls back to exec', () => {
  const { cycles, activity } = synth({ missing: 0.9, seed: 3 });
  const a = alignGc({ cycles, activity });
  assert.equal(a.method, 'exec');
  assert.equal(a.confidence, 'low');
  assert.equal(a.offsetNs, OFFSET - 4 * MS);
});

test('two anchors with drift', () => {
  const cycles = [cycle(1, 10 * MS)];
  const drift = 50; // ppm
  const anchors = [0, 100].map((g) => ({ goSeconds: g, perfSeconds: 512.075 + g * (1 + drift / 1e6) }));
  const a = alignGc({ cycles, anchors });
  assert.equal(a.method, 'anchors');
  assert.equal(a.confidence, 'high');
  assert.ok(Math.abs(a.offsetNs - 512_075_000_000) < 1000, `${a.offsetNs}`);
  assert.ok(Math.abs(a.driftPpm! - drift) < 0.01, `${a.driftPpm}`);
  assert.ok(a.residualNs < 1000);
  const [w] = windowsOnPerfClock([cycle(1, 100e9)], a);
  assert.ok(Math.abs(w!.startNs - (512_075_000_000 + 100e9 * (1 + drift / 1e6))) < 1000);
});

test('three noisy anchors: residual is the RMS', () => {
  const anchors = [
    { goSeconds: 0, perfSeconds: 100.001 },
    { goSeconds: 1, perfSeconds: 100.999 + 0.001 },
    { goSeconds: 2, perfSeconds: 102.001 },
  ];
  const a = alignGc({ cycles: [], anchors });
  assert.equal(a.method, 'anchors');
  assert.ok(a.residualNs > 0);
});

test('one anchor', () => {
  const a = alignGc({ cycles: [cycle(1, 5 * MS)], anchors: [{ perfSeconds: 512.075, goSeconds: 0 }] });
  assert.equal(a.method, 'anchors');
  assert.equal(a.confidence, 'medium');
  assert.equal(a.offsetNs, 512_075_000_000);
  assert.equal(a.driftPpm, undefined);
  const [w] = windowsOnPerfClock([cycle(1, 5 * MS)], a);
  assert.deepEqual(w, { n: 1, startNs: 512_080_000_000, sweepTermEndNs: 512_080_050_000, markEndNs: 512_080_850_000, endNs: 512_080_900_000, forced: false });
});

test('no sources: method none', () => {
  const a = alignGc({ cycles: [cycle(1, 5 * MS)] });
  assert.equal(a.method, 'none');
  assert.equal(a.confidence, 'none');
  assert.deepEqual(a.candidates, []);
});

test('boxed sample: exec found, gc-activity near the exec offset', async () => {
  const rec = new GcActivityRecorder({ program: 'mapstress' });
  const file = `${SAMPLES}/perf.script.txt.gz`;
  await parsePerfScript(gunzip(createReadStream(file), { file }), rec, { file });
  const gc = await parseGcTrace(createReadStream(`${SAMPLES}/gctrace.txt`), { file: 'gctrace.txt' });
  const activity = rec.summary();
  assert.equal(activity.execNs, 528_253_990_000n);
  assert.equal(activity.execComm, 'mapstress');
  const a = alignGc({ cycles: gc.cycles, activity });
  const w = windowsOnPerfClock(gc.cycles, a);
  console.log(JSON.stringify({ ...a, gcSamples: activity.gcSamples, starts: activity.startTimes.length, firstSample: String(activity.firstSampleNs), firstWindow: w[0] }));
  assert.equal(a.method, 'gc-activity');
  const exec = a.candidates.find((c) => c.method === 'exec')!;
  assert.ok(Math.abs(a.offsetNs - exec.offsetNs) < 5 * MS, `${a.offsetNs - exec.offsetNs}`);
  assert.ok(Math.abs(w[0]!.startNs - 528_290_000_000) < 5 * MS);
});
