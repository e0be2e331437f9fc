import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gcCausality, type GcWindow } from './causality.js';
import { mulberry32 } from './stats.js';

function close(a: number, b: number, rel = 1e-9, msg?: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300), `${msg ?? ''} ${a} vs ${b}`);
}

function win(n: number, s: number, stw1: number, mark: number, stw2: number): GcWindow {
  return { n, startNs: s, sweepTermEndNs: s + stw1, markEndNs: s + stw1 + mark, endNs: s + stw1 + mark + stw2 };
}

test('all slow operations inside GC: lift = 1 / gcTimeShare, length-adjusted test, gc-explains', () => {
  // 1000 ops every 1000 ns, 10 ns long; 10 windows of 5000 ns each cover 5 ops -> overlapShare 0.05.
  const starts: number[] = [];
  const durs: number[] = [];
  for (let i = 0; i < 1000; i++) {
    starts.push(i * 1000);
    const off = (i * 1000) % 100_000;
    durs.push(off === 2000 || off === 4000 ? 1000 : 10); // 2 slow ops in each window
  }
  const windows = Array.from({ length: 10 }, (_, k) => win(k + 1, k * 100_000 + 500, 100, 4800, 100));
  const r = gcCausality({ windows, events: { startNs: starts, durationNs: durs } });
  assert.equal(r.count, 1000);
  assert.equal(r.p99.thresholdNs, 1000);
  assert.equal(r.p99.slowCount, 20);
  assert.equal(r.p99.slowInside, 20);
  assert.equal(r.overlapShare, 0.05);
  assert.equal(r.slowInsideShare, 1);
  const span = 999_010;
  close(r.lift!, span / 50_000);
  // Slow ops last 1000 ns: from 6 of the 100 start times per window period ([start - 1000, end] holds
  // 6 multiples of 1000) such an op would touch a window.
  const p = 0.06;
  close(r.expectedInsideShare, p);
  close(r.adjustedLift!, 1 / p);
  close(r.pValue, p ** 20, 1e-9);
  assert.equal(r.verdict, 'gc-explains');
  assert.equal(r.inside.count, 50);
  assert.equal(r.outside.count, 950);
  assert.equal(r.inside.maxNs, 1000);
  assert.equal(r.inside.p50Ns, 10); // 30 fast, 20 slow: rank 25 -> 10
  assert.equal(r.outside.maxNs, 10);
  assert.deepEqual(r.spanNs, { startNs: 0, endNs: 999_010 });
  close(r.gcTimeShare, 50_000 / 999_010);
  assert.equal(r.cycles.length, 10);
  for (const c of r.cycles) assert.deepEqual([c.ops, c.slowOps, c.maxNs], [5, 2, 1000]);
  assert.equal(r.cycles[3]!.n, 4);
});

test('per-phase attribution: slow operations only in the STW phases', () => {
  // Ops every 100 ns, 10 ns long; windows: 1000 ns STW1, 8000 ns mark, 1000 ns STW2 starting at +50.
  const starts: number[] = [];
  const durs: number[] = [];
  for (let j = 0; j < 10_000; j++) {
    const t = j * 100;
    const off = t % 100_000;
    starts.push(t);
    const stw = (off >= 100 && off <= 1000) || (off >= 9100 && off <= 10_000);
    durs.push(stw && t < 1_000_000 ? 40 : 10);
  }
  const windows = Array.from({ length: 10 }, (_, k) => win(k, k * 100_000 + 50, 1000, 8000, 1000));
  const r = gcCausality({ windows, events: { startNs: starts, durationNs: durs } });
  assert.equal(r.p99.slowCount, 200);
  assert.equal(r.p99.thresholdNs, 40);
  assert.equal(r.overlapShare, 0.1);
  const span = 999_910;
  close(r.lift!, 1 / (100_000 / span));
  const { sweepTermination: s, mark: m, markTermination: t } = r.phases;
  assert.equal(s.overlapCount, 100);
  assert.equal(m.overlapCount, 800);
  assert.equal(t.overlapCount, 100);
  for (const ph of [s, t]) {
    assert.equal(ph.p99.slowInside, 100);
    assert.equal(ph.p99.slowInsideShare, 0.5);
    assert.equal(ph.p99.overlapShare, 0.01);
    close(ph.p99.lift!, 0.5 / (10_000 / span));
    // 40 ns slow ops: 10 of every 1000 start times (multiples of 100) fall in [phase start - 40, phase end].
    close(ph.p99.expectedInsideShare, 0.01);
    assert.ok(ph.p99.pValue < 1e-100);
    assert.equal(ph.p999.slowInside, 100);
  }
  assert.equal(m.p99.slowInside, 0);
  assert.equal(m.p99.lift, 0);
  assert.equal(m.p99.pValue, 1);
  close(s.timeShare, 10_000 / span);
  close(m.timeShare, 80_000 / span);
  close(r.gcTimeShare, 100_000 / span);
  assert.equal(r.verdict, 'gc-explains');
});

test('slow operations spread independently of GC: lift ~ 1, large p, no-evidence', () => {
  const rnd = mulberry32(7);
  const N = 100_000;
  const starts = new Float64Array(N);
  const durs = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    starts[i] = Math.floor(rnd() * 1e9);
    durs[i] = Math.floor(-Math.log(1 - rnd()) * 10_000);
  }
  starts.sort();
  const windows = Array.from({ length: 20 }, (_, k) => win(k, k * 5e7 + 1e7, 1e5, 4.8e6, 1e5));
  const r = gcCausality({ windows, events: { startNs: starts, durationNs: durs } });
  assert.equal(r.inside.count + r.outside.count, N);
  assert.ok(r.p99.slowCount >= 1000);
  assert.ok(r.lift! > 0.7 && r.lift! < 1.3, `lift ${r.lift}`);
  assert.ok(r.pValue > 0.01, `p ${r.pValue}`);
  assert.ok(Math.abs(r.gcTimeShare - 0.1) < 0.001);
  assert.equal(r.verdict, 'no-evidence');
  // Same seed, same answer.
  assert.deepEqual(gcCausality({ windows, events: { startNs: starts, durationNs: durs } }), r);
});

test('long operations placed independently of GC: the time-share lift is inflated, the adjusted one is not', () => {
  // Cadence gaps of 2-6 ms against GC windows of 1 ms every 20 ms: a 5 ms gap overlaps a window with
  // chance (1 + 5) / 20 = 0.3, not 0.05, whatever GC does.
  const rnd = mulberry32(11);
  const N = 100_000;
  const starts = new Float64Array(N);
  const durs = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    starts[i] = Math.floor(rnd() * 2e9);
    durs[i] = 2e6 + Math.floor(rnd() * 4e6);
  }
  const windows = Array.from({ length: 100 }, (_, k) => win(k, k * 2e7 + 5e6, 5e4, 9e5, 5e4));
  const r = gcCausality({ windows, events: { startNs: starts, durationNs: durs }, spanNs: { startNs: 0, endNs: 2e9 } });
  close(r.gcTimeShare, 0.05);
  assert.ok(r.lift! > 5, `time-share lift ${r.lift}`);
  assert.ok(r.adjustedLift! > 0.8 && r.adjustedLift! < 1.25, `adjusted lift ${r.adjustedLift}`);
  assert.ok(r.expectedInsideShare > 0.3 && r.expectedInsideShare < 0.35, `expected ${r.expectedInsideShare}`);
  assert.ok(r.pValue > 0.01, `p ${r.pValue}`);
  assert.equal(r.verdict, 'no-evidence');
});

test('the null chance is the share of observed start times from which a slow duration touches GC', () => {
  const rnd = mulberry32(5);
  const span = 100_000;
  for (let round = 0; round < 5; round++) {
    const windows: GcWindow[] = [];
    for (let k = 0; k < 8; k++) windows.push(win(k, Math.floor(rnd() * span), 100, Math.floor(rnd() * 6000), 100));
    const d = 1 + Math.floor(rnd() * 15_000);
    // 2000 short operations and 30 of duration d (the slow ones), all starting in the first 40% of the
    // span: windows later on cannot be touched, whatever their share of time.
    const starts: number[] = [];
    const durs: number[] = [];
    for (let i = 0; i < 2030; i++) {
      starts.push(Math.floor(rnd() * 0.4 * span));
      durs.push(i < 30 ? d : 0);
    }
    const r = gcCausality({ windows, events: { startNs: starts, durationNs: durs }, spanNs: { startNs: 0, endNs: span } });
    assert.equal(r.p99.slowCount, 30);
    const touching = starts.filter((s0) => windows.some((w) => s0 <= w.endNs && s0 + d >= w.startNs)).length;
    close(r.expectedInsideShare, touching / starts.length, 1e-12, `round ${round} d ${d}`);
  }
});

test('operations clustered in part of the span: idle time without operations makes no lift', () => {
  // Operations only during 10 bursts of 100 ms, 1 s apart, independent of GC; GC windows (1 ms, 20
  // per burst) only inside the bursts: 20% of burst time but 2% of the span.
  const rnd = mulberry32(3);
  const starts: number[] = [];
  const durs: number[] = [];
  for (let b = 0; b < 10; b++) {
    for (let i = 0; i < 5000; i++) {
      starts.push(b * 1e9 + Math.floor(rnd() * 1e8));
      durs.push(Math.floor(-Math.log(1 - rnd()) * 5000));
    }
  }
  const windows: GcWindow[] = [];
  for (let b = 0; b < 10; b++) for (let k = 0; k < 20; k++) windows.push(win(b * 20 + k, b * 1e9 + k * 5e6, 2e4, 9.6e5, 2e4));
  const r = gcCausality({ windows, events: { startNs: starts, durationNs: durs } });
  assert.ok(r.gcTimeShare < 0.03, `time share ${r.gcTimeShare}`);
  assert.ok(r.lift! > 5, `time-share lift ${r.lift} is inflated by the idle time between bursts`);
  assert.ok(r.expectedInsideShare > 0.18 && r.expectedInsideShare < 0.22, `expected ${r.expectedInsideShare}`);
  assert.ok(r.adjustedLift! > 0.8 && r.adjustedLift! < 1.25, `adjusted ${r.adjustedLift}`);
  assert.equal(r.verdict, 'no-evidence');
});

test('insufficient data: few events, few slow, no windows', () => {
  const w = [win(1, 0, 10, 100, 10)];
  const few = gcCausality({ windows: w, events: { startNs: [1, 2, 3], durationNs: [5, 6, 7] } });
  assert.equal(few.verdict, 'insufficient-data');
  const starts = Array.from({ length: 500 }, (_, i) => i * 10);
  const durs = Array.from({ length: 500 }, (_, i) => i + 1); // distinct: 6 ops >= p99
  const fewSlow = gcCausality({ windows: w, events: { startNs: starts, durationNs: durs } });
  assert.equal(fewSlow.p99.slowCount, 6);
  assert.equal(fewSlow.verdict, 'insufficient-data');
  const noWin = gcCausality({ windows: [], events: { startNs: starts, durationNs: durs } });
  assert.equal(noWin.verdict, 'insufficient-data');
  assert.equal(noWin.lift, null);
  assert.equal(noWin.gcTimeShare, 0);
  const empty = gcCausality({ windows: w, events: { startNs: [], durationNs: [] } });
  assert.equal(empty.verdict, 'insufficient-data');
  assert.equal(empty.inside.count, 0);
  // minEvents override.
  const lowered = gcCausality({ windows: w, events: { startNs: [1, 2, 3], durationNs: [5, 6, 7] }, minEvents: 1, thresholds: { minSlow: 1 } });
  assert.notEqual(lowered.verdict, 'insufficient-data');
});

test('overlap matches brute force with unsorted, overlapping windows and a given span', () => {
  const rnd = mulberry32(123);
  const windows: GcWindow[] = [];
  for (let k = 0; k < 60; k++) {
    const s = Math.floor(rnd() * 1e6);
    windows.push(win(k, s, Math.floor(rnd() * 500), Math.floor(rnd() * 20_000), Math.floor(rnd() * 500)));
  }
  const N = 5000;
  const starts: number[] = [];
  const durs: number[] = [];
  for (let i = 0; i < N; i++) {
    starts.push(Math.floor(rnd() * 1.1e6) - 5e4);
    durs.push(Math.floor(rnd() * rnd() * 5000));
  }
  const r = gcCausality({ windows, events: { startNs: starts, durationNs: durs }, spanNs: { startNs: 0, endNs: 1e6 } });
  const sorted = [...windows].sort((a, b) => a.startNs - b.startNs || a.endNs - b.endNs);
  const t99 = r.p99.thresholdNs;
  let any = 0;
  const ph = [0, 0, 0];
  const cyc = sorted.map(() => ({ ops: 0, slowOps: 0, maxNs: 0 }));
  const hits = (a: number, b: number, lo: number, hi: number): boolean => a <= hi && b >= lo;
  for (let i = 0; i < N; i++) {
    const a = starts[i]!;
    const b = a + durs[i]!;
    let h = false;
    const hp = [false, false, false];
    sorted.forEach((w, j) => {
      if (!hits(a, b, w.startNs, w.endNs)) return;
      h = true;
      cyc[j]!.ops++;
      if (durs[i]! >= t99) cyc[j]!.slowOps++;
      cyc[j]!.maxNs = Math.max(cyc[j]!.maxNs, durs[i]!);
      if (hits(a, b, w.startNs, w.sweepTermEndNs)) hp[0] = true;
      if (hits(a, b, w.sweepTermEndNs, w.markEndNs)) hp[1] = true;
      if (hits(a, b, w.markEndNs, w.endNs)) hp[2] = true;
    });
    if (h) any++;
    hp.forEach((v, j) => v && ph[j]!++);
  }
  assert.equal(r.inside.count, any);
  assert.deepEqual([r.phases.sweepTermination.overlapCount, r.phases.mark.overlapCount, r.phases.markTermination.overlapCount], ph);
  assert.deepEqual(
    r.cycles.map((c) => ({ ops: c.ops, slowOps: c.slowOps, maxNs: c.maxNs })),
    cyc,
  );
  assert.deepEqual(r.spanNs, { startNs: 0, endNs: 1e6 });
  // Union of windows by a bitmap over the span.
  const covered = new Uint8Array(1e6);
  for (const w of windows) for (let t = Math.max(0, w.startNs); t < Math.min(1e6, w.endNs); t++) covered[t] = 1;
  close(r.gcTimeShare, covered.reduce((s, v) => s + v, 0) / 1e6);
});

test('a million events (performance smoke test, no timing assertion)', () => {
  const rnd = mulberry32(99);
  const N = 1_000_000;
  const starts = new Float64Array(N);
  const durs = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    starts[i] = 1e12 + i * 1000 + Math.floor(rnd() * 500);
    durs[i] = Math.floor(rnd() * 2000);
  }
  const windows = Array.from({ length: 200 }, (_, k) => win(k, 1e12 + k * 5e6 + 1e6, 2e4, 1e6, 2e4));
  const r = gcCausality({ windows, events: { startNs: starts, durationNs: durs }, seed: 1 });
  assert.equal(r.count, N);
  assert.equal(r.inside.count + r.outside.count, N);
  assert.equal(r.cycles.reduce((s, c) => s + c.ops, 0), r.inside.count); // windows do not overlap
  assert.ok(r.pValue >= 0 && r.pValue <= 1);
});
