import type { Report } from '../model/report.js';
import { int, pct } from './format.js';

/** A PR-comment-sized summary of a report (SPEC §5 `format=md`); sections grow with the analyses. */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const where = [report.repo, report.branch, report.commit].filter(Boolean).join(' · ');
  out.push(`## TraceLens report ${report.id}${where ? ` — ${where}` : ''}`, '');
  out.push(`**Status:** ${report.status}${report.error ? ` — ${escapeMd(report.error)}` : ''}`, '');
  if (report.inputs.length > 0) {
    out.push('| input | kind | bytes | notes |', '|---|---|---:|---|');
    for (const i of report.inputs) {
      const notes = [i.error, ...i.warnings].filter(Boolean).map((s) => escapeMd(String(s))).join('; ');
      out.push(`| \`${escapeMd(i.name)}\` | ${i.kind} | ${int(i.bytes)} | ${notes} |`);
    }
    out.push('');
  }
  if (report.findings.length > 0) {
    out.push('### Findings', '');
    for (const f of report.findings) out.push(`- **${f.rule}** (${f.severity}) ${escapeMd(f.title)}`);
    out.push('');
  }
  const sites = report.escapeSites.filter((s) => s.allocBytes > 0 || s.cpuShare > 0).slice(0, 10);
  if (sites.length > 0) {
    out.push('### Escape sites by allocated bytes', '');
    out.push('| site | escapes | bytes | share | CPU in allocator | boxing |', '|---|---|---:|---:|---:|---|');
    for (const s of sites) {
      out.push(
        `| \`${escapeMd(s.file)}:${s.line}\` | ${escapeMd(s.expression)} | ${int(s.allocBytes)} | ${pct(s.allocShare)} | ${pct(s.cpuShare)} | ${s.boxing ? 'yes' : ''} |`,
      );
    }
    out.push('');
  }
  if (report.dataQuality.length > 0) {
    out.push('### Data quality', '');
    for (const d of report.dataQuality) out.push(`- ${d.rule}: ${escapeMd(d.message)}`);
    out.push('');
  }
  return out.join('\n');
}


function escapeMd(s: string): string {
  return s.replace(/[|`*_<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}
