import type { Finding, Report } from '../../model/report.js';
import { bytes, int, ns, pct, provenance, SEVERITY_RANK, shortCommit } from '../format.js';
import { clip, esc } from './format.js';
import { hasCausality } from './timeline.js';

/** The page's text sections: header, the two verdicts, findings, escape sites, inputs, data quality. */

export function renderHeader(report: Report): string {
  const where = provenance(report);
  const meta = [
    `<span>report <code>${esc(report.id)}</code></span>`,
    report.repo ? `<span>repo <b>${esc(report.repo)}</b></span>` : '',
    report.branch ? `<span>branch <b>${esc(report.branch)}</b></span>` : '',
    report.commit ? `<span>commit <code title="${esc(report.commit)}">${esc(shortCommit(report.commit))}</code></span>` : '',
    `<span>created ${esc(report.createdAt)}</span>`,
    report.completedAt ? `<span>completed ${esc(report.completedAt)}</span>` : '',
    ...Object.entries(report.labels).map(([k, v]) => `<span>${esc(k)}=${esc(v)}</span>`),
  ].filter(Boolean);
  const out = [
    `<header class="top" id="header">`,
    `<h1>TraceLens report${where ? ` — ${esc(where)}` : ''} <span class="badge s-${esc(report.status)}" id="status">${esc(report.status)}</span></h1>`,
    `<div class="meta">${meta.join('')}</div>`,
  ];
  if (report.status === 'failed') {
    out.push(`<div class="error" id="error"><b>Analysis failed:</b> ${esc(report.error ?? 'no error message')}</div>`);
  } else if (report.error) {
    out.push(`<div class="error" id="error">${esc(report.error)}</div>`);
  }
  if (report.status === 'running') {
    const p = report.progress;
    if (p) {
      const of = p.archiveBytes ? ` of ${bytes(p.archiveBytes)}` : '';
      const bar = p.archiveBytes ? `<progress max="${p.archiveBytes}" value="${p.archiveBytesRead}"></progress> ` : '';
      out.push(
        `<p id="progress">${bar}Running: ${esc(bytes(p.archiveBytesRead))}${esc(of)} read, ${int(p.entriesRead)} entries${p.currentEntry ? `, reading <code>${esc(p.currentEntry)}</code>` : ''}. Reload for the report.</p>`,
      );
    } else out.push('<p id="progress">Running. Reload for the report.</p>');
  } else if (report.status === 'pending') {
    out.push('<p id="progress">Queued: the archive has not been analysed yet. Reload for the report.</p>');
  }
  // Relative links: they resolve against the page's own URL (a share link or the API path).
  out.push(`<div class="meta">other formats: ${['json', 'md', 'sarif', 'folded'].map((f) => `<a href="?format=${f}">${f}</a>`).join(' · ')}</div>`);
  out.push('</header>');
  return out.join('\n');
}

export function renderVerdicts(report: Report): string {
  const sites = report.escapeSites.filter((s) => s.allocBytes > 0).sort((a, b) => b.allocBytes - a.allocBytes);
  const left: string[] = ['<div><h3>Which heap escapes cost?</h3>'];
  if (sites.length === 0) {
    left.push(`<p class="empty">${report.escapeSites.length > 0 ? 'No escape site has allocated bytes in the heap profile.' : 'No escape sites (is there a go-escape input and a heap profile?).'}</p>`);
  } else {
    left.push('<ol>');
    for (const s of sites.slice(0, 5)) {
      left.push(
        `<li><code>${esc(`${s.file}:${s.line}`)}</code>${s.function ? ` in <code>${esc(s.function)}</code>` : ''}: <b>${esc(bytes(s.allocBytes))}</b> (${pct(s.allocShare)} of heap bytes)${s.boxing ? ' <span class="badge box-boxing">boxing</span>' : ''} — <span class="mono">${esc(clip(s.expression, 120))}</span></li>`,
      );
    }
    left.push('</ol>');
    if (sites.length > 5) left.push(`<p class="caption">…and ${sites.length - 5} more sites in the table below.</p>`);
  }
  left.push('</div>');

  const right: string[] = ['<div><h3>Does GC explain the latency?</h3>'];
  const order = { 'gc-explains': 0, 'no-evidence': 1, 'insufficient-data': 2 } as const;
  const series = report.latency.filter((l) => l.gc).sort((a, b) => order[a.gc!.verdict] - order[b.gc!.verdict] || b.count - a.count);
  if (series.length === 0) {
    right.push(`<p class="empty">${report.latency.length > 0 ? 'No GC verdicts (no GC cycles on the perf clock).' : 'No latency series (is there a perf input?).'}</p>`);
  } else {
    const line = (l: (typeof series)[number]) => {
      const gc = l.gc!;
      const stats = hasCausality(l)
        ? ` — p99 inside GC ${esc(ns(l.gc.inside.p99Ns))} vs outside ${esc(ns(l.gc.outside.p99Ns))}${l.gc.lift !== null ? `, lift ${l.gc.lift.toFixed(2)}` : ''}, p = ${l.gc.pValue.toExponential(1)}`
        : '';
      return `<li><span class="badge v-${esc(gc.verdict)}">${esc(gc.verdict)}</span> <code>${esc(l.series)}</code> (${esc(l.kind)}, ${int(l.count)} ops)${stats}<br><span class="caption">${esc(gc.verdictReason)}</span></li>`;
    };
    const decided = series.filter((l) => l.gc!.verdict !== 'insufficient-data');
    const rest = series.filter((l) => l.gc!.verdict === 'insufficient-data');
    right.push('<ul id="gc-verdicts">', ...decided.map(line), '</ul>');
    if (rest.length > 0) {
      right.push(`<details><summary>${rest.length} series with insufficient data</summary><ul>`, ...rest.map(line), '</ul></details>');
    }
  }
  right.push('</div>');
  return `<section id="verdicts"><h2>Verdicts</h2><div class="verdicts">${left.join('\n')}${right.join('\n')}</div></section>`;
}

export function renderFindings(findings: Finding[]): string {
  if (findings.length === 0) return '<section id="findings"><h2>Findings</h2><p class="empty">No findings.</p></section>';
  const sorted = [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const items = sorted.map((f) => {
    const loc = f.location?.file ? ` · <code>${esc(`${f.location.file}${f.location.line ? `:${f.location.line}` : ''}`)}</code>${f.location.function ? ` in <code>${esc(f.location.function)}</code>` : ''}` : '';
    return (
      `<div class="finding sev-${esc(f.severity)}" data-rule="${esc(f.rule)}">` +
      `<div><span class="badge sev-${esc(f.severity)}">${esc(f.severity)}</span> <b>${esc(f.rule)}</b> ${esc(f.title)}${loc}</div>` +
      `<div>${esc(f.message)}</div>` +
      `<div class="rec"><b>Recommendation:</b> ${esc(f.recommendation)}</div></div>`
    );
  });
  return `<section id="findings"><h2>Findings (${findings.length})</h2>\n${items.join('\n')}</section>`;
}

const MAX_SITES = 200;

export function renderEscapeTable(report: Report): string {
  const sites = [...report.escapeSites].sort((a, b) => b.allocBytes - a.allocBytes || b.cpuShare - a.cpuShare);
  if (sites.length === 0) return '<section id="escape-sites"><h2>Escape sites</h2><p class="empty">No escape sites (the archive has no go-escape input).</p></section>';
  const maxShare = Math.max(...sites.map((s) => s.allocShare), 1e-9);
  const rows = sites.slice(0, MAX_SITES).map(
    (s) =>
      `<tr><td><code>${esc(`${s.file}:${s.line}`)}</code></td><td><code>${esc(s.function ?? '')}</code></td><td class="expr mono" title="${esc(s.message)}">${esc(s.expression)}</td>` +
      `<td>${s.boxing ? `<span class="badge box-boxing" title="${esc(s.boxingEvidence.join('; '))}">boxing</span>` : ''}</td>` +
      `<td class="num">${esc(bytes(s.allocBytes))}</td><td class="num">${int(s.allocObjects)}</td>` +
      `<td class="num"><span class="bar" style="width:${Math.round((s.allocShare / maxShare) * 60)}px"></span>${pct(s.allocShare)}</td>` +
      `<td class="num">${s.cpuShare > 0 ? pct(s.cpuShare) : ''}${s.cpuSource ? ` <span class="caption">${esc(s.cpuSource)}</span>` : ''}</td></tr>`,
  );
  const more = sites.length > MAX_SITES ? `<p class="caption">${sites.length - MAX_SITES} more sites with fewer bytes are in the report JSON.</p>` : '';
  return (
    `<section id="escape-sites"><h2>Escape sites (${sites.length})</h2>` +
    '<table id="escape-table"><thead><tr><th>site</th><th>function</th><th>escaping expressions</th><th>boxing</th><th class="num">alloc bytes</th><th class="num">objects</th><th class="num">share of bytes</th><th class="num">CPU in allocator</th></tr></thead><tbody>\n' +
    rows.join('\n') +
    `\n</tbody></table>${more}</section>`
  );
}

export function renderInputs(report: Report): string {
  if (report.inputs.length === 0 && report.dataQuality.length === 0) return '';
  const out = ['<section id="inputs"><h2>Inputs and data quality</h2>'];
  if (report.inputs.length > 0) {
    out.push('<table><thead><tr><th>input</th><th>kind</th><th class="num">bytes</th><th>notes</th></tr></thead><tbody>');
    for (const i of report.inputs) {
      const notes = [i.error, ...i.warnings].filter(Boolean).map((n) => esc(n)).join('; ');
      out.push(`<tr><td><code>${esc(i.name)}</code></td><td>${esc(i.kind)}</td><td class="num">${int(i.bytes)}</td><td>${notes}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  if (report.dataQuality.length > 0) {
    out.push('<h3>Data quality</h3><ul>');
    for (const d of report.dataQuality) out.push(`<li><span class="badge sev-${esc(d.severity)}">${esc(d.rule)}</span> ${esc(d.message)}</li>`);
    out.push('</ul>');
  }
  out.push('</section>');
  return out.join('\n');
}
