import type { DurationStats } from '../../model/causality.js';
import type { Report } from '../../model/report.js';
import { int, ns } from '../format.js';
import { clip, esc, logTicks, n2 } from './format.js';
import { hasCausality } from './timeline.js';

/**
 * Latency distributions per series, inside vs outside GC windows, on a log scale: a box from p50 to p99,
 * a whisker to the max, ticks at p90 and p99.9. Series without GC causality get one row over all operations.
 */

const W = 1200;
const LABEL_W = 360;
const ROW_H = 22;
const TOP = 28;
const BOTTOM = 34;
const RIGHT = 130;

interface Row {
  group: string;
  label: string;
  stats: DurationStats;
  cls: 'inside' | 'outside' | 'all';
  verdict?: string;
}

export function distributionSeries(report: Report, max = 12): Report['latency'] {
  const rank = (l: Report['latency'][number]) => (l.gc?.verdict === 'gc-explains' ? 0 : hasCausality(l) && l.gc.inside.count > 0 ? 1 : 2);
  return report.latency.filter((l) => l.count > 0).sort((a, b) => rank(a) - rank(b) || b.count - a.count).slice(0, max);
}

export function renderDistributions(report: Report): string {
  const list = distributionSeries(report);
  if (list.length === 0) return `<p class="empty" id="distributions-empty">No latency series in this report (it needs a perf script input with syscall, probe or scheduler events): no distributions.</p>`;
  const rows: Row[] = [];
  for (const l of list) {
    const group = `${l.series} (${l.kind})`;
    if (hasCausality(l)) {
      rows.push({ group, label: `inside GC · n=${int(l.gc.inside.count)}`, stats: l.gc.inside, cls: 'inside', verdict: l.gc.verdict });
      rows.push({ group, label: `outside GC · n=${int(l.gc.outside.count)}`, stats: l.gc.outside, cls: 'outside' });
    } else {
      const { count, p50Ns, p90Ns, p99Ns, p999Ns, maxNs } = l;
      rows.push({ group, label: `all · n=${int(count)}`, stats: { count, p50Ns, p90Ns, p99Ns, p999Ns, maxNs }, cls: 'all', ...(l.gc ? { verdict: l.gc.verdict } : {}) });
    }
  }
  let lo = Infinity;
  let hi = 0;
  for (const r of rows) {
    if (r.stats.count === 0) continue;
    lo = Math.min(lo, Math.max(1, r.stats.p50Ns));
    hi = Math.max(hi, r.stats.maxNs);
  }
  if (!Number.isFinite(lo)) lo = 1000;
  if (hi <= lo) hi = lo * 10;
  const llo = Math.log10(lo / 2);
  const lhi = Math.log10(hi * 2);
  const pw = W - LABEL_W - RIGHT;
  const x = (v: number) => LABEL_W + ((Math.log10(Math.max(v, 1)) - llo) / (lhi - llo)) * pw;
  const groups = new Set(rows.map((r) => r.group)).size;
  const H = TOP + rows.length * ROW_H + groups * (ROW_H + 6) + BOTTOM;

  const out: string[] = [];
  out.push(`<svg id="distributions" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Latency distributions inside and outside GC" preserveAspectRatio="xMinYMin meet">`);
  for (const v of logTicks(10 ** llo, 10 ** lhi)) {
    out.push(`<line class="grid" x1="${n2(x(v))}" x2="${n2(x(v))}" y1="${TOP - 6}" y2="${H - BOTTOM}"/>`);
    out.push(`<text class="tick" x="${n2(x(v))}" y="${H - BOTTOM + 14}" text-anchor="middle">${esc(ns(v))}</text>`);
  }
  out.push(`<text class="axis-label" x="${LABEL_W + pw / 2}" y="${H - 4}" text-anchor="middle">latency (log scale): box p50–p99, whisker to max, ticks p90 and p99.9</text>`);
  out.push(
    `<g class="legend"><rect class="box inside" x="${LABEL_W}" y="6" width="14" height="10"/><text class="legend" x="${LABEL_W + 18}" y="15">inside GC windows</text>` +
      `<rect class="box outside" x="${LABEL_W + 150}" y="6" width="14" height="10"/><text class="legend" x="${LABEL_W + 168}" y="15">outside GC</text>` +
      `<rect class="box all" x="${LABEL_W + 270}" y="6" width="14" height="10"/><text class="legend" x="${LABEL_W + 288}" y="15">all operations (no GC split)</text></g>`,
  );
  let yy = TOP;
  let prev = '';
  for (const r of rows) {
    if (r.group !== prev) {
      yy += 6;
      out.push(`<text class="series-label" x="4" y="${yy + 15}">${esc(clip(r.group, 120))}<title>${esc(r.group)}</title></text>`);
      if (r.verdict) out.push(`<text class="verdict v-${esc(r.verdict)}" x="${W - 4}" y="${yy + 15}" text-anchor="end">GC: ${esc(r.verdict)}</text>`);
      yy += ROW_H;
      prev = r.group;
    }
    out.push(`<text class="row-label" x="${LABEL_W - 8}" y="${yy + 15}" text-anchor="end">${esc(r.label)}</text>`);
    const s = r.stats;
    if (s.count === 0) {
      out.push(`<text class="none" x="${LABEL_W + 4}" y="${yy + 15}">no operations</text>`);
    } else {
      const cy = yy + ROW_H / 2;
      const detail = `p50 ${ns(s.p50Ns)} · p90 ${ns(s.p90Ns)} · p99 ${ns(s.p99Ns)} · p99.9 ${ns(s.p999Ns)} · max ${ns(s.maxNs)}`;
      const name = `${r.group} ${r.label}`;
      out.push(`<g class="dist ${r.cls}" data-n="${esc(name)}" data-d="${esc(detail)}"><title>${esc(`${name}: ${detail}`)}</title>`);
      out.push(`<line class="whisker" x1="${n2(x(s.p99Ns))}" x2="${n2(x(s.maxNs))}" y1="${n2(cy)}" y2="${n2(cy)}"/>`);
      out.push(`<rect class="box ${r.cls}" x="${n2(x(s.p50Ns))}" y="${yy + 4}" width="${n2(Math.max(2, x(s.p99Ns) - x(s.p50Ns)))}" height="${ROW_H - 8}"/>`);
      out.push(`<line class="p50" x1="${n2(x(s.p50Ns))}" x2="${n2(x(s.p50Ns))}" y1="${yy + 2}" y2="${yy + ROW_H - 2}"/>`);
      for (const v of [s.p90Ns, s.p999Ns]) out.push(`<line class="tickmark" x1="${n2(x(v))}" x2="${n2(x(v))}" y1="${yy + 6}" y2="${yy + ROW_H - 6}"/>`);
      out.push(`<circle class="max" cx="${n2(x(s.maxNs))}" cy="${n2(cy)}" r="3"/>`);
      out.push('</g>');
      out.push(`<text class="p99-label" x="${W - RIGHT + 8}" y="${yy + 15}">p99 ${esc(ns(s.p99Ns))}</text>`);
    }
    yy += ROW_H;
  }
  out.push('</svg>');
  const more = report.latency.filter((l) => l.count > 0).length - list.length;
  return out.join('\n') + (more > 0 ? `\n<p class="caption">${more} smaller series not shown (see the report JSON).</p>` : '');
}
