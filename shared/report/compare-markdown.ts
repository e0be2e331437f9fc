import { fmtBytes, fmtNs, fmtPct, fmtPoints, fmtRatio, fmtSigned } from '../analyses/compare/gate.js';
import type { ComparedRef, Comparison, NumberDelta } from '../model/compare.js';

const MAX_SITES = 20;
const MAX_SERIES = 15;

/**
 * A comparison as a PR comment (SPEC §5 compare, `format=md`): the gate verdict first with its reasons,
 * then the escape sites that changed, the ESC003 findings, the latency series and GC, and the biggest
 * hotspot shifts.
 */
export function renderCompareMarkdown(c: Comparison): string {
  const out: string[] = [];
  const fail = c.gate.verdict === 'fail';
  out.push(`## ${fail ? '❌' : '✅'} TraceLens gate: **${c.gate.verdict}**`, '');
  if (refText(c.head) || refText(c.base)) out.push(`Head ${refText(c.head) || '(unnamed)'} against base ${refText(c.base) || '(unnamed)'}.`, '');
  out.push(fail ? '**Why it fails:**' : '**Checked:**', '');
  for (const r of c.gate.reasons) out.push(`- ${esc(r)}`);
  out.push('');

  const a = c.allocBytes;
  if (a.base > 0 || a.head > 0) {
    out.push(`**Allocated bytes:** ${fmtBytes(a.base)} → ${fmtBytes(a.head)} (${fmtSigned(a.delta, fmtBytes)}, ${fmtRatio(a.ratio)})`, '');
  }

  out.push('### Escape sites', '');
  if (c.sites.length === 0) {
    out.push(`No escape site changed its allocated bytes (${c.unchangedSites} unchanged).`, '');
  } else {
    out.push('| change | site | escapes | base | head | Δ bytes | Δ | share (base → head) | boxing |', '|---|---|---|---:|---:|---:|---:|---|---|');
    for (const s of c.sites.slice(0, MAX_SITES)) {
      const mark = s.failsGate ? ' ❌' : '';
      out.push(
        `| ${s.status}${mark} | ${code(`${s.file}:${s.line}:${s.column}`)}${s.function ? ` ${esc(s.function)}` : ''} | ${esc(s.expression)} | ${fmtBytes(s.baseBytes)} | ${fmtBytes(s.headBytes)} | ${fmtSigned(s.deltaBytes, fmtBytes)} | ${fmtRatio(s.deltaRatio)} | ${fmtPct(s.baseShare)} → ${fmtPct(s.headShare)} (${fmtPoints(s.deltaShare)}) | ${s.boxing ? 'yes' : ''} |`,
      );
    }
    if (c.sites.length > MAX_SITES) out.push('', `… and ${c.sites.length - MAX_SITES} more changed sites.`);
    out.push('', `${c.unchangedSites} site${c.unchangedSites === 1 ? '' : 's'} unchanged.`, '');
  }

  if (c.findings.length > 0) {
    out.push('### Findings', '');
    for (const f of c.findings) {
      out.push(`- **${f.rule}** (${f.severity}) ${code(f.id)} ${esc(f.title)}`, `  - ${esc(f.message)}`, `  - Fix: ${esc(f.recommendation)}`);
    }
    out.push('');
  }

  if (c.latency.length > 0) {
    out.push('### Latency series', '');
    out.push('| series | kind | count | p50 | p99 | p99.9 | max | GC verdict |', '|---|---|---:|---:|---:|---:|---:|---|');
    // Verdict changes first, then series with enough measurements to trust, then by p99 change.
    const enough = (s: (typeof c.latency)[number]) => Math.min(s.count.base, s.count.head) >= c.thresholds.latencyMinCount;
    const rows = [...c.latency].sort(
      (x, y) =>
        Number(y.verdictChanged) - Number(x.verdictChanged) ||
        Number(enough(y)) - Number(enough(x)) ||
        Math.abs(y.p99Ns.ratio ?? 0) - Math.abs(x.p99Ns.ratio ?? 0),
    );
    for (const s of rows.slice(0, MAX_SERIES)) {
      const verdict = s.verdictChanged ? `${s.baseVerdict ?? '—'} → **${s.headVerdict ?? '—'}**` : (s.headVerdict ?? '—');
      out.push(
        `| ${code(s.series)} | ${s.kind} | ${s.count.base} → ${s.count.head} | ${ns(s.p50Ns)} | ${ns(s.p99Ns)} | ${ns(s.p999Ns)} | ${ns(s.maxNs)} | ${verdict} |`,
      );
    }
    if (rows.length > MAX_SERIES) out.push('', `… and ${rows.length - MAX_SERIES} more series.`);
    out.push('');
  }
  if (c.latencyOnlyInHead.length + c.latencyOnlyInBase.length > 0) {
    if (c.latencyOnlyInHead.length) out.push(`Only in head: ${c.latencyOnlyInHead.map(code).join(', ')}.`);
    if (c.latencyOnlyInBase.length) out.push(`Only in base: ${c.latencyOnlyInBase.map(code).join(', ')}.`);
    out.push('');
  }

  const g = c.gc;
  out.push('### GC', '');
  out.push(
    `${g.cycles.base} → ${g.cycles.head} GC cycles; GC CPU share ${g.baseCpuShare === null ? 'unknown' : fmtPct(g.baseCpuShare)} → ${g.headCpuShare === null ? 'unknown' : fmtPct(g.headCpuShare)}${g.deltaCpuShare === null ? '' : ` (${fmtPoints(g.deltaCpuShare)})`}.`,
    '',
  );

  const shifts = c.hotspots.flatMap((h) => h.functions.slice(0, 3).map((f) => ({ h, f }))).filter(({ f }) => Math.abs(f.deltaSelfShare) >= 0.01);
  if (shifts.length > 0) {
    out.push('### Hotspot shifts (self share)', '');
    out.push('| event | source | function | base | head | Δ |', '|---|---|---|---:|---:|---:|');
    for (const { h, f } of shifts) {
      out.push(`| ${esc(h.event)} | ${code(h.source)} | ${code(f.name)} | ${fmtPct(f.baseSelfShare)} | ${fmtPct(f.headSelfShare)} | ${fmtPoints(f.deltaSelfShare)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

function ns(d: NumberDelta): string {
  return d.delta === 0 ? fmtNs(d.head) : `${fmtNs(d.base)} → ${fmtNs(d.head)} (${fmtRatio(d.ratio)})`;
}

function refText(r: ComparedRef): string {
  const parts = [r.id ? `\`${r.id}\`` : '', r.branch ?? '', r.commit ? `\`${r.commit.slice(0, 12)}\`` : ''].filter(Boolean);
  return parts.join(' · ');
}

/** Plain text in a table or list: markdown's special characters escaped (backticks kept: messages quote code). */
function esc(s: string): string {
  return s.replace(/[|*_<>]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, ' ');
}

/** A code span (backslashes are literal inside it; only the table's `|` needs escaping). */
function code(s: string): string {
  const body = s.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return `\`${body}\``;
}
