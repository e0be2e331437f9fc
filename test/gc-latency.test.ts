// GC-latency causality end to end on the real mapstress recordings (issue 5's acceptance), checked
// against a second, deliberately naive implementation written here from the spec's words: the archive
// unpacked by the system's tar, the perf script text paired with a regex per line, windows from the
// report's cycles and alignment, overlap by brute force.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { AnalysisResult } from '../shared/model/report.js';
import { analysedSample, analysedSampleWithArtifacts } from './helpers/reports.js';
import { TIMELINE_POINTS_PER_SERIES } from '../shared/analyses/gc/join.js';
import type { GcCausality } from '../shared/model/causality.js';
import type { TimelinePoints } from '../shared/model/timeline.js';
import { BOXED_ARCHIVE, STRUCT_ARCHIVE } from './helpers/samples.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function unpack(archive: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracelens-gc-'));
  dirs.push(dir);
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  return dir;
}

interface Op {
  start: number;
  dur: number;
}

/**
 * bpf(BPF_MAP_UPDATE_ELEM) calls from perf script text: `sys_enter_bpf: cmd: 0x00000002` then the next
 * `sys_exit_bpf` of the same thread.
 *   mapstress  6341 [000]   528.256948: syscalls:sys_enter_bpf: cmd: 0x00000002, uattr: ..., size: 0x00000048
 */
function mapUpdates(text: string): Op[] {
  const open = new Map<string, number | null>();
  const ops: Op[] = [];
  const re = /^\S.*?\s(\d+)\s+\[\d+\]\s+(\d+)\.(\d{6,9}):\s+syscalls:sys_(enter|exit)_bpf:(?:\s+cmd:\s+(0x[0-9a-f]+))?/;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const [, tid, sec, frac, what, cmd] = m;
    const t = Number(sec) * 1e9 + Number(frac!.padEnd(9, '0'));
    if (what === 'enter') open.set(tid!, cmd !== undefined && parseInt(cmd, 16) === 2 ? t : null);
    else {
      const s = open.get(tid!);
      if (s !== undefined && s !== null) ops.push({ start: s, dur: t - s });
      open.delete(tid!);
    }
  }
  return ops;
}

const nearestRank = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil(p * sorted.length - 1e-9)) - 1]!;

/** The spec's causality numbers for one series, by brute force over every window. */
function naiveCausality(ops: Op[], windows: Array<[number, number]>) {
  const sorted = ops.map((o) => o.dur).sort((a, b) => a - b);
  const t99 = nearestRank(sorted, 0.99);
  const spanStart = Math.min(...ops.map((o) => o.start));
  const spanEnd = Math.max(...ops.map((o) => o.start + o.dur));
  let covered = 0;
  for (const [s, e] of windows) covered += Math.max(0, Math.min(e, spanEnd) - Math.max(s, spanStart)); // windows do not overlap
  const gcTimeShare = covered / (spanEnd - spanStart);
  const inside = (o: Op) => windows.some(([s, e]) => o.start <= e && o.start + o.dur >= s);
  const slow = ops.filter((o) => o.dur >= t99);
  const slowInsideShare = slow.filter(inside).length / slow.length;
  return { t99, gcTimeShare, slowInsideShare, lift: slowInsideShare / gcTimeShare, insideCount: ops.filter(inside).length };
}

function windowsOf(r: AnalysisResult): Array<[number, number]> {
  const a = r.gc.alignment!;
  assert.equal(a.driftPpm ?? 0, 0);
  return r.gc.cycles.map((c) => {
    const s = a.offsetNs + c.startNs!;
    return [s, s + c.sweepTermNs + c.markNs + c.markTermNs];
  });
}

describe('GC-latency causality on the mapstress recordings', () => {
  it('boxed: cycles, the map-update series and its cadence with lift, pValue and verdict, and the alignment', async () => {
    const dir = unpack(BOXED_ARCHIVE);
    const r = await analysedSample(BOXED_ARCHIVE);

    const gctrace = readFileSync(join(dir, 'gctrace.txt'), 'utf8');
    const gcLines = gctrace.match(/^gc \d+ @/gm) ?? [];
    assert.ok(gcLines.length > 0);
    assert.equal(r.gc.cycles.length, gcLines.length);

    const a = r.gc.alignment!;
    assert.equal(a.method, 'gc-activity');
    assert.ok(a.confidence === 'high' || a.confidence === 'medium', a.confidence);
    assert.ok(Number.isInteger(a.offsetNs) && Number.isInteger(a.residualNs));

    const ops = mapUpdates(gunzipSync(readFileSync(join(dir, 'perf.script.txt.gz'))).toString('utf8'));
    const dur = r.latency.find((l) => l.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && l.kind === 'duration')!;
    const gap = r.latency.find((l) => l.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && l.kind === 'gap')!;
    assert.equal(dur.count, ops.length);
    const sortedDur = ops.map((o) => o.dur).sort((x, y) => x - y);
    assert.deepEqual([dur.p50Ns, dur.p99Ns, dur.maxNs], [nearestRank(sortedDur, 0.5), nearestRank(sortedDur, 0.99), sortedDur.at(-1)]);

    // The loop's cadence: consecutive starts in time order (one goroutine, whichever thread it was on).
    const byStart = [...ops].sort((x, y) => x.start - y.start);
    const gaps: Op[] = byStart.slice(1).map((o, i) => ({ start: byStart[i]!.start, dur: o.start - byStart[i]!.start }));
    assert.equal(gap.count, gaps.length);

    const windows = windowsOf(r);
    for (const [series, naiveOps] of [[dur, ops], [gap, gaps]] as const) {
      const g = series.gc!;
      assert.ok('lift' in g, `${series.kind}: causality computed`);
      const want = naiveCausality(naiveOps, windows);
      assert.equal(g.p99.thresholdNs, want.t99);
      assert.equal(g.inside.count, want.insideCount);
      assert.ok(Math.abs(g.gcTimeShare - want.gcTimeShare) < 1e-9, `${g.gcTimeShare} vs ${want.gcTimeShare}`);
      assert.equal(g.slowInsideShare, want.slowInsideShare);
      assert.ok(Math.abs(g.lift! - want.lift) < 1e-9 * want.lift, `${series.kind} lift ${g.lift} vs ${want.lift}`);
      assert.ok(g.pValue >= 0 && g.pValue <= 1);
      assert.ok(['gc-explains', 'no-evidence', 'insufficient-data'].includes(g.verdict));
    }
    // Map updates themselves are no slower in GC; the loop's cadence is (the boxed loop allocates).
    assert.equal(dur.gc && 'lift' in dur.gc && dur.gc.verdict, 'no-evidence');
    assert.equal(gap.gc && 'lift' in gap.gc && gap.gc.verdict, 'gc-explains');
  });

  it("boxed: the timeline's operation points are real operations — every slow one, the rest an even sample", async () => {
    const dir = unpack(BOXED_ARCHIVE);
    const { result: r, artifacts } = await analysedSampleWithArtifacts(BOXED_ARCHIVE);
    const points = JSON.parse(artifacts.timeline!) as TimelinePoints;
    // GC-explained series first: the loop's cadence.
    assert.deepEqual([points.series[0]!.series, points.series[0]!.kind], ['syscall:bpf:BPF_MAP_UPDATE_ELEM', 'gap']);
    const ops = mapUpdates(gunzipSync(readFileSync(join(dir, 'perf.script.txt.gz'))).toString('utf8'));
    const p = points.series.find((q) => q.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && q.kind === 'duration')!;
    assert.equal(p.count, ops.length);
    assert.equal(p.startNs.length, TIMELINE_POINTS_PER_SERIES);
    assert.equal(p.durationNs.length, TIMELINE_POINTS_PER_SERIES);
    const real = new Set(ops.map((o) => `${o.start}/${o.dur}`));
    for (let k = 0; k < p.startNs.length; k++) assert.ok(real.has(`${p.startNs[k]}/${p.durationNs[k]}`), `point ${k} is an operation of the recording`);
    const dur = r.latency.find((l) => l.series === p.series && l.kind === 'duration')!;
    const g = dur.gc as GcCausality;
    assert.equal(p.slowNs, g.p99.thresholdNs);
    assert.equal(p.durationNs.filter((d) => d >= p.slowNs).length, ops.filter((o) => o.dur >= p.slowNs).length, 'every slow operation');
    for (let k = 1; k < p.startNs.length; k++) assert.ok(p.startNs[k]! >= p.startNs[k - 1]!, 'by start');
    assert.ok(points.series.every((q) => q.kind !== 'runqueue' && q.startNs.length <= TIMELINE_POINTS_PER_SERIES));
  });

  it('struct: no series gets a gc-explains verdict', async () => {
    const dir = unpack(STRUCT_ARCHIVE);
    const r = await analysedSample(STRUCT_ARCHIVE);
    const gcLines = readFileSync(join(dir, 'gctrace.txt'), 'utf8').match(/^gc \d+ @/gm) ?? [];
    assert.equal(r.gc.cycles.length, gcLines.length);
    assert.ok(r.latency.length > 0);
    for (const l of r.latency) assert.notEqual(l.gc?.verdict, 'gc-explains', `${l.series} ${l.kind}`);
    assert.ok(!r.findings.some((f) => f.rule === 'GC001'));
  });
});
