import { createHash } from 'node:crypto';
import type { Report } from '../../model/report.js';
import { CLIENT_SCRIPT } from './client.js';
import { renderDistributions } from './distributions.js';
import { renderFlame, type FlameInput } from './flame.js';
import { provenance } from '../format.js';
import { esc } from './format.js';
import { renderEscapeTable, renderFindings, renderHeader, renderInputs, renderVerdicts } from './sections.js';
import { STYLE } from './style.js';
import { renderTimeline } from './timeline.js';
import type { TimelinePoints } from '../../model/timeline.js';

export type { FlameInput } from './flame.js';

/**
 * The report page (SPEC §5 `text/html`): one self-contained HTML document — inline CSS, inline SVG, one
 * small static script — that loads nothing from anywhere (its Content-Security-Policy forbids it).
 * Every report-derived string is escaped. The flame graph needs the folded stacks and the timeline its
 * operation points, which are not in the report: the caller passes them (see shared/api/render-report.ts).
 */
export interface HtmlPageOptions {
  flame?: FlameInput;
  /** The operations the GC timeline plots (the analysis's timeline artifact); without them it plots per-cycle maxima. */
  timeline?: TimelinePoints;
}

const SCRIPT_HASH = createHash('sha256').update(CLIENT_SCRIPT).digest('base64');

/** The page's policy, also in the page itself: nothing but its own inline style and its one script; no fetches or forms. */
export const PAGE_META_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;
/** The header version adds what a <meta> policy cannot carry (browsers ignore frame-ancestors there). */
export const PAGE_CSP = `${PAGE_META_CSP}; frame-ancestors 'none'`;

export function renderHtmlPage(report: Report, opts: HtmlPageOptions = {}): string {
  const where = provenance(report);
  const hasPlots = report.status === 'complete' || report.latency.length > 0 || report.gc.cycles.length > 0 || !!opts.flame;
  const body: string[] = [renderHeader(report)];
  if (report.status === 'complete' || report.findings.length > 0 || report.escapeSites.length > 0) {
    body.push(renderVerdicts(report), renderFindings(report.findings), renderEscapeTable(report));
  }
  if (hasPlots) {
    body.push(
      `<section id="gc-timeline"><h2>GC timeline</h2>\n${renderTimeline(report, opts.timeline)}</section>`,
      `<section id="latency"><h2>Latency inside vs outside GC</h2>\n${renderDistributions(report)}</section>`,
      `<section id="flamegraph"><h2>Flame graph${opts.flame ? ` — ${esc(opts.flame.event)}` : ''}</h2>\n${renderFlame(opts.flame)}</section>`,
    );
  }
  body.push(renderInputs(report));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(PAGE_META_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${esc(`TraceLens ${report.status}${where ? ` — ${where}` : ''} (${report.id})`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body.filter(Boolean).join('\n')}
</main>
<div id="tip" hidden><div class="tip-name"></div><div class="tip-detail"></div></div>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
