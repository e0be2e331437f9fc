import type { GcCausality } from '../../model/causality.js';
import type { Report } from '../../model/report.js';
import type { TimelinePoints, TimelineSeriesPoints } from '../../model/timeline.js';
import { int, ns } from '../format.js';
import { esc, linearTicks, logTicks, n2 } from './format.js';

/**
 * The GC timeline: GC cycle windows as bands on perf's clock (gc.cycles mapped with gc.alignment; or the
 * per-cycle rows of latency[].gc when the cycles cannot be placed), and operation latencies as points:
 * the analysis's sampled operations (the timeline artifact: every slow one and a stride through the rest)
 * when the caller has them, else what the report holds — per series, the longest operation that overlapped
 * each GC cycle (`latency[].gc.cycles[].maxNs`, ringed when a p99-slow one did). The series' p99 inside
 * and outside GC are reference lines.
 */

export const SERIES_COLORS = ['#1f6feb', '#d97706', '#059669', '#9333ea'];
const W = 1200;
const H = 340;
const M = { left: 64, right: 16, top: 50, bottom: 36 };

interface Window {
  n: number;
  startNs: number;
  endNs: number;
  /** STW phases, when known: [start, end) of sweep termination and of mark termination. */
  stw: Array<[number, number]>;
  forced: boolean;
}

type CausalSeries = Report['latency'][number] & { gc: GcCausality };

export function hasCausality(l: Report['latency'][number]): l is CausalSeries {
  return !!l.gc && 'inside' in l.gc;
}

/** GC windows on perf's clock: from gc.cycles and the alignment, else from the first series' per-cycle rows. */
export function gcWindows(report: Report): { windows: Window[]; placedBy: 'alignment' | 'latency' | 'none' } {
  const a = report.gc.alignment;
  if (a && a.method !== 'none') {
    const windows: Window[] = [];
    for (const c of report.gc.cycles) {
      if (c.startNs === null) continue;
      const drift = a.driftPpm ? (c.startNs * a.driftPpm) / 1e6 : 0;
      const start = c.startNs + a.offsetNs + drift;
      const sweepEnd = start + c.sweepTermNs;
      const markEnd = sweepEnd + c.markNs;
      const end = markEnd + c.markTermNs;
      windows.push({ n: c.n, startNs: start, endNs: end, stw: [[start, sweepEnd], [markEnd, end]], forced: c.forced });
    }
    if (windows.length > 0) return { windows, placedBy: 'alignment' };
  }
  const withCycles = report.latency.find((l) => hasCausality(l) && l.gc.cycles.length > 0) as CausalSeries | undefined;
  if (withCycles) {
    return {
      windows: withCycles.gc.cycles.map((c) => ({ n: c.n, startNs: c.startNs, endNs: c.endNs, stw: [], forced: false })),
      placedBy: 'latency',
    };
  }
  return { windows: [], placedBy: 'none' };
}

/** The series the timeline plots: with GC causality and operations; GC-explained first, then by count. */
export function timelineSeries(report: Report, max = 4): CausalSeries[] {
  return report.latency
    .filter(hasCausality)
    .filter((l) => l.count > 0 && l.kind !== 'runqueue' && l.gc.cycles.some((c) => c.ops > 0))
    .sort((a, b) => Number(b.gc.verdict === 'gc-explains') - Number(a.gc.verdict === 'gc-explains') || b.count - a.count)
    .slice(0, max);
}

export function renderTimeline(report: Report, points?: TimelinePoints): string {
  const { windows, placedBy } = gcWindows(report);
  const series = timelineSeries(report);
  // The sampled operations of each plotted series, when the analysis kept them (by series and kind).
  const opsOf = new Map<CausalSeries, TimelineSeriesPoints>();
  for (const s of series) {
    const p = points?.series.find((q) => q.series === s.series && q.kind === s.kind && q.startNs.length > 0);
    if (p) opsOf.set(s, p);
  }
  if (windows.length === 0 && series.length === 0) {
    const why =
      report.latency.length === 0 && report.gc.cycles.length === 0
        ? 'No perf data and no GC trace in this report: nothing to plot.'
        : report.gc.cycles.length === 0
          ? 'No GC cycles in this report (is there a gctrace input?): no timeline.'
          : 'The GC cycles could not be placed on the perf clock (no alignment) and no latency series overlaps them: no timeline.';
    return `<p class="empty" id="timeline-empty">${esc(why)}</p>`;
  }

  // Time range: every window and every plotted series' observed span.
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const w of windows) {
    t0 = Math.min(t0, w.startNs);
    t1 = Math.max(t1, w.endNs);
  }
  for (const s of series) {
    t0 = Math.min(t0, s.gc.spanNs.startNs);
    t1 = Math.max(t1, s.gc.spanNs.endNs);
  }
  if (!(t1 > t0)) t1 = t0 + 1_000_000;
  const pad = (t1 - t0) * 0.01;
  t0 -= pad;
  t1 += pad;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0)) * pw;

  // Latency axis (log): from the smallest p50 to the largest max over the plotted series.
  let lo = Infinity;
  let hi = 0;
  for (const s of series) {
    lo = Math.min(lo, s.p50Ns || s.maxNs || 1000);
    hi = Math.max(hi, s.maxNs, ...s.gc.cycles.map((c) => c.maxNs));
    for (const d of opsOf.get(s)?.durationNs ?? []) if (d > 0) lo = Math.min(lo, d);
  }
  if (!Number.isFinite(lo) || lo <= 0) lo = 1_000;
  if (hi <= lo) hi = lo * 100;
  const ylo = Math.log10(lo / 2);
  const yhi = Math.log10(hi * 2);
  const y = (v: number) => M.top + ph - ((Math.log10(Math.max(v, 1)) - ylo) / (yhi - ylo)) * ph;

  const out: string[] = [];
  out.push(`<svg id="timeline" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="GC timeline" preserveAspectRatio="xMinYMin meet">`);
  // Axes and grid.
  const spanMs = (t1 - t0) / 1e6;
  for (const tick of linearTicks(0, spanMs, 8)) {
    const tx = x(t0 + tick * 1e6);
    out.push(`<line class="grid" x1="${n2(tx)}" x2="${n2(tx)}" y1="${M.top}" y2="${M.top + ph}"/>`);
    out.push(`<text class="tick" x="${n2(tx)}" y="${H - M.bottom + 14}" text-anchor="middle">${tick} ms</text>`);
  }
  if (series.length > 0) {
    for (const v of logTicks(10 ** ylo, 10 ** yhi)) {
      out.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${n2(y(v))}" y2="${n2(y(v))}"/>`);
      out.push(`<text class="tick" x="${M.left - 6}" y="${n2(y(v) + 4)}" text-anchor="end">${esc(ns(v))}</text>`);
    }
  }
  out.push(`<text class="axis-label" x="${M.left + pw / 2}" y="${H - 4}" text-anchor="middle">perf time since ${esc(ns(t0))} on the perf clock (ms)</text>`);

  // GC bands.
  out.push('<g class="gc-bands">');
  for (const w of windows) {
    const bx = x(w.startNs);
    const bw = Math.max(2, x(w.endNs) - bx);
    const tip = `GC ${w.n}${w.forced ? ' (forced)' : ''}: ${ns(w.endNs - w.startNs)}`;
    out.push(
      `<rect class="gc-band${w.forced ? ' forced' : ''}" x="${n2(bx)}" y="${M.top}" width="${n2(bw)}" height="${ph}" data-n="${esc(tip)}" data-d="starts ${esc(ns(w.startNs - t0))} into the plot"><title>${esc(tip)}</title></rect>`,
    );
    for (const [s, e] of w.stw) {
      out.push(`<rect class="gc-stw" x="${n2(x(s))}" y="${M.top}" width="${n2(Math.max(1, x(e) - x(s)))}" height="${ph}"/>`);
    }
    if (bw > 0) out.push(`<text class="gc-label" x="${n2(bx + bw / 2)}" y="${M.top - 4}" text-anchor="middle">${w.n}</text>`);
  }
  out.push('</g>');

  // Reference lines and points per series.
  series.forEach((s, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!;
    for (const [label, v, cls] of [
      ['p99 outside GC', s.gc.outside.p99Ns, 'ref-out'],
      ['p99 inside GC', s.gc.inside.p99Ns, 'ref-in'],
    ] as const) {
      if (v <= 0) continue;
      out.push(
        `<line class="ref ${cls}" stroke="${color}" x1="${M.left}" x2="${W - M.right}" y1="${n2(y(v))}" y2="${n2(y(v))}" data-n="${esc(`${s.series} (${s.kind}) ${label}`)}" data-d="${esc(ns(v))}"><title>${esc(`${s.series} (${s.kind}) ${label}: ${ns(v)}`)}</title></line>`,
      );
    }
    out.push(`<g class="points" data-series="${esc(s.series)}">`);
    const ops = opsOf.get(s);
    if (ops) {
      out.push(...operationPoints(s, ops, windows, color, x, y, t0));
      out.push('</g>');
      return;
    }
    for (const c of s.gc.cycles) {
      if (c.ops === 0) continue;
      const cx = x((c.startNs + c.endNs) / 2) + (i - (series.length - 1) / 2) * 3;
      const tip = `${s.series} (${s.kind}) in GC ${c.n}`;
      const detail = `${int(c.ops)} ops overlapping, ${int(c.slowOps)} ≥ p99, longest ${ns(c.maxNs)}`;
      out.push(
        `<circle class="pt${c.slowOps > 0 ? ' slow' : ''}" cx="${n2(cx)}" cy="${n2(y(c.maxNs))}" r="${c.slowOps > 0 ? 5 : 3.5}" fill="${color}" data-n="${esc(tip)}" data-d="${esc(detail)}"><title>${esc(`${tip}: ${detail}`)}</title></circle>`,
      );
    }
    out.push('</g>');
  });

  // Legend and the alignment statement, on the plot.
  const a = report.gc.alignment;
  const align =
    placedBy === 'alignment' && a
      ? `GC clock → perf clock: ${a.method} (${a.confidence} confidence), offset ${ns(a.offsetNs)}${a.driftPpm ? `, drift ${a.driftPpm.toFixed(1)} ppm` : ''}, residual ±${ns(a.residualNs)}`
      : placedBy === 'latency'
        ? 'GC windows from the latency analysis (alignment not in the report)'
        : 'no GC windows';
  out.push(`<text id="alignment" class="align" x="${M.left}" y="14">${esc(align)}</text>`);
  let lx = M.left;
  series.forEach((s, i) => {
    const label = `${s.series} (${s.kind})`;
    out.push(`<circle cx="${lx + 5}" cy="26" r="4" fill="${SERIES_COLORS[i % SERIES_COLORS.length]}"/>`);
    out.push(`<text class="legend" x="${lx + 13}" y="30">${esc(label)}</text>`);
    lx += 26 + label.length * 7;
  });
  out.push('</svg>');

  const sampled = series.filter((s) => opsOf.has(s));
  const caption =
    `Bands: ${windows.length} GC cycles (darker: stop-the-world phases). ` +
    (series.length === 0
      ? 'No latency series overlaps the GC windows.'
      : sampled.length === series.length
        ? `Points: operations at their start time — ${sampled.map((s) => `${s.series} ${opsOf.get(s)!.startNs.length === s.count ? `all ${int(s.count)}` : `${int(opsOf.get(s)!.startNs.length)} of ${int(s.count)} (every one ≥ p99, then an even sample)`}`).join('; ')}; larger and ringed: ≥ the series p99. Dashed lines: p99 outside GC, dotted: p99 inside GC.`
        : 'Points: per series, the longest operation overlapping each GC cycle (larger and ringed: at least one operation ≥ the series p99); dashed lines: p99 outside GC, dotted: p99 inside GC. ' +
          'This analysis kept no per-operation sample, so operations outside GC windows appear only through those lines and the distributions below.');
  return `${out.join('\n')}\n<p class="caption">${esc(caption)}</p>`;
}

/** One circle per sampled operation; hover names the operation, its duration and the GC cycle it overlaps. */
function operationPoints(
  s: CausalSeries,
  ops: TimelineSeriesPoints,
  windows: Window[],
  color: string,
  x: (t: number) => number,
  y: (v: number) => number,
  t0: number,
): string[] {
  const out: string[] = [];
  const name = esc(`${s.series} (${s.kind})`);
  let w = 0;
  for (let k = 0; k < ops.startNs.length; k++) {
    const start = ops.startNs[k]!;
    const dur = ops.durationNs[k]!;
    // Windows and operations are both by start, and windows do not overlap: past the windows that ended
    // before this operation started, the first one left is the only one it can overlap first.
    while (w < windows.length && windows[w]!.endNs < start) w++;
    const inGc = w < windows.length && windows[w]!.startNs <= start + dur ? windows[w] : undefined;
    const slow = dur >= ops.slowNs;
    const detail = `${ns(dur)} at ${ns(start - t0)}${inGc ? `, during GC ${inGc.n}` : ''}${slow ? ' (≥ p99)' : ''}`;
    out.push(
      `<circle class="pt op${slow ? ' slow' : ''}" cx="${n2(x(start))}" cy="${n2(y(dur))}" r="${slow ? 3.5 : 2}" fill="${color}" data-n="${name}" data-d="${esc(detail)}"/>`,
    );
  }
  return out;
}
