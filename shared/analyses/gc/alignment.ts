/**
 * Clock alignment (SPEC §2): maps gctrace times (ns since the Go runtime started) onto perf's clock.
 *
 * Sources, best first:
 * 1. Manifest anchors: one gives the offset; several a least-squares fit of offset and drift
 *    (residual: RMS of the fit's errors).
 * 2. GC activity perf saw (gc-activity.ts): offsets around the prior (anchor ±SEARCH_ANCHOR_NS, else
 *    exec/first sample ±SEARCH_FALLBACK_NS) are voted for by pairing cycle starts with start samples
 *    (gcStart/STW) in 1 ms buckets; the best bucket's offsets are scored by how many cycle windows
 *    [start, end + 1 ms] (gctrace `@` is truncated to the ms) hold GC samples, then by the median distance
 *    of cycle starts to the nearest start sample (the residual); the winner is shifted by the median
 *    signed distance. Sorting and binary searches: O((cycles + samples) log n) plus the pairs inside the
 *    search radius (capped at MAX_VOTES).
 * 3. The program's exec (gctrace's @0s is the runtime's start, a few ms after exec), then its first sample.
 *
 * With several anchors, the anchors win; a single anchor is refined by GC activity when that matches at
 * least half of the cycles. Drift is only fitted from anchors.
 */
import type { GcAlignment, GcAlignmentMethod, GcCycle, GcWindow } from '../../model/gc.js';
import type { GcActivitySummary } from './gc-activity.js';

export type { GcActivitySummary } from './gc-activity.js';

const MS = 1_000_000;
const SEARCH_ANCHOR_NS = 50 * MS;
const SEARCH_FALLBACK_NS = 1000 * MS;
const BUCKET_NS = MS;
const MAX_VOTES = 2_000_000;
const MAX_EVAL = 256;
/** gctrace prints `@` truncated to the millisecond: windows are widened by this much. */
const START_RESOLUTION_NS = MS;
const HIGH_ANCHOR_RESIDUAL_NS = MS;

export interface AlignGcInput {
  cycles: GcCycle[];
  anchors?: Array<{ perfSeconds: number; goSeconds: number }>;
  activity?: GcActivitySummary;
}

interface Candidate {
  method: GcAlignmentMethod;
  offsetNs: number;
  residualNs: number;
}

interface ActivityFit {
  offsetNs: number;
  residualNs: number;
  /** Cycles whose window holds GC samples. */
  hits: number;
  /** Cycles with a start sample within 1 ms of their start. */
  within1ms: number;
  cycles: number;
}

export function alignGc(input: AlignGcInput): GcAlignment {
  const notes: string[] = [];
  const candidates: Candidate[] = [];
  const timed = input.cycles.filter((c) => c.startNs !== null);
  if (input.cycles.length > 0 && timed.length === 0) notes.push('gctrace cycles carry no start time (Go ≤ 1.4): only anchors can place them');

  // 1. Anchors.
  let anchorFit: { offsetNs: number; driftPpm?: number; residualNs: number; n: number } | undefined;
  const anchors = (input.anchors ?? []).filter((a) => Number.isFinite(a.perfSeconds) && Number.isFinite(a.goSeconds));
  if (anchors.length > 0) {
    anchorFit = fitAnchors(anchors);
    candidates.push({ method: 'anchors', offsetNs: anchorFit.offsetNs, residualNs: anchorFit.residualNs });
  }

  // 3. Exec and first sample.
  const act = input.activity;
  const execOffset = act?.execNs !== undefined ? Number(act.execNs) : undefined;
  const firstOffset = act?.firstSampleNs !== undefined ? Number(act.firstSampleNs) : undefined;

  // 2. GC activity, around the best prior.
  let fit: ActivityFit | undefined;
  const prior = anchorFit?.offsetNs ?? execOffset ?? firstOffset;
  if (act && timed.length > 0 && prior !== undefined && act.startTimes.length + act.markTimes.length > 0) {
    const radius = anchorFit ? SEARCH_ANCHOR_NS : SEARCH_FALLBACK_NS;
    fit = fitActivity(timed, act, prior, radius, notes);
    if (fit) candidates.push({ method: 'gc-activity', offsetNs: fit.offsetNs, residualNs: fit.residualNs });
  } else if (act && timed.length > 0 && act.startTimes.length + act.markTimes.length === 0) {
    notes.push('perf saw no samples in GC functions');
  }
  if (execOffset !== undefined) candidates.push({ method: 'exec', offsetNs: execOffset, residualNs: 0 });
  if (firstOffset !== undefined) candidates.push({ method: 'first-sample', offsetNs: firstOffset, residualNs: 0 });

  const fitShare = fit ? fit.hits / fit.cycles : 0;
  const closeShare = fit ? fit.within1ms / fit.cycles : 0;
  if (fit) {
    notes.push(
      `GC activity: ${fit.hits}/${fit.cycles} cycle windows hold GC samples, ${fit.within1ms} cycle starts within 1 ms of a start sample`,
    );
  }

  if (anchorFit && anchorFit.n >= 2) {
    if (fit) notes.push(`GC activity offset differs from the anchors' by ${Math.round(fit.offsetNs - anchorFit.offsetNs)} ns`);
    return {
      method: 'anchors',
      offsetNs: anchorFit.offsetNs,
      driftPpm: anchorFit.driftPpm,
      residualNs: anchorFit.residualNs,
      confidence: anchorFit.residualNs <= HIGH_ANCHOR_RESIDUAL_NS ? 'high' : 'medium',
      candidates,
      notes,
    };
  }
  if (fit && fitShare >= 0.5) {
    const confidence = closeShare >= 0.8 && fitShare >= 0.8 ? 'high' : 'medium';
    if (anchorFit) notes.push(`single anchor refined by GC activity (moved ${Math.round(fit.offsetNs - anchorFit.offsetNs)} ns)`);
    return { method: 'gc-activity', offsetNs: fit.offsetNs, residualNs: fit.residualNs, confidence, candidates, notes };
  }
  if (fit) notes.push('GC activity matches fewer than half of the cycles: not used');
  if (anchorFit) {
    return { method: 'anchors', offsetNs: anchorFit.offsetNs, residualNs: anchorFit.residualNs, confidence: 'medium', candidates, notes };
  }
  if (execOffset !== undefined) {
    notes.push('offset from the exec: the runtime starts a few ms later; residual unmeasured');
    return { method: 'exec', offsetNs: execOffset, residualNs: 0, confidence: 'low', candidates, notes };
  }
  if (firstOffset !== undefined) {
    notes.push("offset from the program's first sample; residual unmeasured");
    return { method: 'first-sample', offsetNs: firstOffset, residualNs: 0, confidence: 'low', candidates, notes };
  }
  notes.push('no source to align the clocks: no anchors, exec, samples or GC activity');
  return { method: 'none', offsetNs: 0, residualNs: 0, confidence: 'none', candidates, notes };
}

/** Least squares perfNs = a + b·goNs; offset a, drift (b − 1)·1e6 ppm, residual RMS. */
function fitAnchors(anchors: Array<{ perfSeconds: number; goSeconds: number }>): {
  offsetNs: number;
  driftPpm?: number;
  residualNs: number;
  n: number;
} {
  const n = anchors.length;
  // Work on offsets (perf − go) to keep precision: offset(go) = a + d·go.
  const xs = anchors.map((a) => a.goSeconds);
  const ys = anchors.map((a) => (a.perfSeconds - a.goSeconds) * 1e9);
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (n === 1 || sxx === 0) {
    const residual = Math.sqrt(ys.reduce((s, v) => s + (v - my) ** 2, 0) / n);
    return { offsetNs: Math.round(my), residualNs: Math.round(residual), n };
  }
  const slopeNsPerS = sxy / sxx; // extra ns per go second
  const a = my - slopeNsPerS * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - (a + slopeNsPerS * xs[i]!)) ** 2;
  return { offsetNs: Math.round(a), driftPpm: slopeNsPerS / 1e3, residualNs: Math.round(Math.sqrt(sse / n)), n };
}

/** First index with arr[i] >= v. */
function lowerBound(arr: Float64Array, v: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function anyIn(arr: Float64Array, lo: number, hi: number): boolean {
  const i = lowerBound(arr, lo);
  return i < arr.length && arr[i]! <= hi;
}

/** Signed distance from v to the nearest element (element − v); undefined when empty. */
function nearest(arr: Float64Array, v: number): number | undefined {
  if (arr.length === 0) return undefined;
  const i = lowerBound(arr, v);
  let best: number | undefined;
  if (i < arr.length) best = arr[i]! - v;
  if (i > 0 && (best === undefined || v - arr[i - 1]! < Math.abs(best))) best = arr[i - 1]! - v;
  return best;
}

function median(v: number[]): number {
  if (v.length === 0) return 0;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function cycleDurationNs(c: GcCycle): number {
  return c.sweepTermNs + c.markNs + c.markTermNs;
}

/** Offsets here are relative: perf time relative to activity.baseNs = go ns + rel. */
function fitActivity(
  cycles: GcCycle[],
  act: GcActivitySummary,
  priorAbs: number,
  radius: number,
  notes: string[],
): ActivityFit | undefined {
  const base = Number(act.baseNs);
  const prior = priorAbs - base;
  const starts = cycles.map((c) => c.startNs!).sort((a, b) => a - b);
  const startsArr = Float64Array.from(starts);
  const durs = cycles.map(cycleDurationNs);
  const refs = act.startTimes.length > 0 ? act.startTimes : act.markTimes;
  const all = mergeSorted(act.startTimes, act.markTimes);

  // Votes: pairs (sample t, cycle start s) with t − s within prior ± radius.
  const votes = new Map<number, number[]>();
  let nVotes = 0;
  outer: for (let j = 0; j < refs.length; j++) {
    const t = refs[j]!;
    // s in [t − prior − radius, t − prior + radius]
    let i = lowerBound(startsArr, t - prior - radius);
    for (; i < startsArr.length && startsArr[i]! <= t - prior + radius; i++) {
      const d = t - startsArr[i]!;
      const b = Math.floor(d / BUCKET_NS);
      let list = votes.get(b);
      if (!list) votes.set(b, (list = []));
      list.push(d);
      if (++nVotes >= MAX_VOTES) {
        notes.push(`GC activity: vote cap ${MAX_VOTES} reached; search incomplete`);
        break outer;
      }
    }
  }
  if (votes.size === 0) return undefined;
  let bestB = 0;
  let bestScore = -1;
  for (const b of votes.keys()) {
    const score = (votes.get(b - 1)?.length ?? 0) + votes.get(b)!.length + (votes.get(b + 1)?.length ?? 0);
    if (score > bestScore || (score === bestScore && Math.abs(b * BUCKET_NS - prior) < Math.abs(bestB * BUCKET_NS - prior))) {
      bestScore = score;
      bestB = b;
    }
  }
  let cands = [...(votes.get(bestB - 1) ?? []), ...votes.get(bestB)!, ...(votes.get(bestB + 1) ?? [])];
  if (cands.length > MAX_EVAL) {
    const step = cands.length / MAX_EVAL;
    cands = Array.from({ length: MAX_EVAL }, (_, k) => cands[Math.floor(k * step)]!);
  }

  const evaluate = (d: number): { hits: number; residual: number; within1ms: number; signed: number[] } => {
    let hits = 0;
    let within1ms = 0;
    const dist: number[] = [];
    const signed: number[] = [];
    for (let i = 0; i < cycles.length; i++) {
      const s = cycles[i]!.startNs! + d;
      if (anyIn(all, s - START_RESOLUTION_NS, s + durs[i]! + START_RESOLUTION_NS)) hits++;
      const near = nearest(refs, s);
      if (near !== undefined) {
        dist.push(Math.abs(near));
        if (Math.abs(near) <= MS) {
          within1ms++;
          signed.push(near);
        }
      }
    }
    return { hits, residual: median(dist), within1ms, signed };
  };

  let best = { d: cands[0]!, ...evaluate(cands[0]!) };
  for (const d of cands.slice(1)) {
    const e = evaluate(d);
    if (e.hits > best.hits || (e.hits === best.hits && e.residual < best.residual)) best = { d, ...e };
  }
  // Centre on the matched starts.
  if (best.signed.length > 0) {
    const d2 = best.d + median(best.signed);
    const e2 = evaluate(d2);
    if (e2.hits >= best.hits && e2.residual <= best.residual) best = { d: d2, ...e2 };
  }
  return {
    offsetNs: Math.round(Number(act.baseNs + BigInt(Math.round(best.d)))),
    residualNs: Math.round(best.residual),
    hits: best.hits,
    within1ms: best.within1ms,
    cycles: cycles.length,
  };
}

function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** Maps one Go time (ns since runtime start) onto perf ns, in bigint. */
function toPerf(goNs: number, a: GcAlignment): bigint {
  const drift = a.driftPpm ? BigInt(Math.round((goNs * a.driftPpm) / 1e6)) : 0n;
  return BigInt(Math.round(a.offsetNs)) + BigInt(Math.round(goNs)) + drift;
}

/** The cycles' phases on perf's clock (cycles without a start time are left out). */
export function windowsOnPerfClock(cycles: GcCycle[], alignment: GcAlignment): GcWindow[] {
  const out: GcWindow[] = [];
  for (const c of cycles) {
    if (c.startNs === null) continue;
    const g0 = c.startNs;
    const g1 = g0 + c.sweepTermNs;
    const g2 = g1 + c.markNs;
    const g3 = g2 + c.markTermNs;
    out.push({
      n: c.n,
      startNs: Number(toPerf(g0, alignment)),
      sweepTermEndNs: Number(toPerf(g1, alignment)),
      markEndNs: Number(toPerf(g2, alignment)),
      endNs: Number(toPerf(g3, alignment)),
      forced: c.forced,
    });
  }
  return out;
}
