// The HTML report page: the real boxed recording's findings, escape table and plots; no external URL;
// hostile report text rendered as text; failed, running and perf-less reports; the flame graph's caps.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { before, describe, it } from 'node:test';
import { analyze } from '../../analyses/analyze.js';
import { emptyResult, type AnalysisResult, type EscapeSite, type Report } from '../../model/report.js';
import { BOXED_ARCHIVE } from '../../../test/helpers/samples.js';
import { reportOf } from '../../../test/helpers/reports.js';
import { FLAME_LIMITS, hottestStacks } from './flame.js';
import { PAGE_CSP, PAGE_META_CSP, renderHtmlPage } from './page.js';
import { timelineSeries } from './timeline.js';
import type { TimelinePoints } from '../../model/timeline.js';


/** Every URL the page would load or link to outside itself. */
function externalUrls(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\b(?:src|href|action|xlink:href|data)\s*=\s*["']?([^"'\s>]+)/gi)) {
    const url = m[1]!;
    if (/^(https?:)?\/\//i.test(url)) out.push(url);
  }
  for (const m of html.matchAll(/url\(\s*["']?([^"')]+)/gi)) out.push(`url(${m[1]})`);
  for (const m of html.matchAll(/@import/gi)) out.push(m[0]);
  return out;
}

const count = (s: string, re: RegExp) => [...s.matchAll(re)].length;

describe('renderHtmlPage on the boxed mapstress recording', () => {
  let report: Report;
  let folded = '';
  let html = '';
  let timeline: TimelinePoints;
  before(async () => {
    const a = await analyze([{ name: 'mapstress-boxed.tar.gz', body: createReadStream(BOXED_ARCHIVE) }]);
    assert.equal(a.error, undefined);
    report = reportOf(a.result);
    folded = a.artifacts.folded.get('task-clock')!;
    assert.ok(folded, 'the recording has task-clock stacks');
    timeline = JSON.parse(a.artifacts.timeline!) as TimelinePoints;
    const h = report.hotspots.find((x) => x.event === 'task-clock')!;
    html = renderHtmlPage(report, { flame: { event: 'task-clock', folded, samplesPerWeight: h.samples / h.totalWeight, unit: h.unit }, timeline });
  });

  it('is one HTML document: header, the two verdicts, every finding with its recommendation', () => {
    assert.match(html, /^<!doctype html>/);
    assert.equal(count(html, /<html\b/g), 1);
    assert.match(html, /<h1>TraceLens report — acme\/mapstress · main · 3f2c9e1d0b8a <span class="badge s-complete" id="status">complete<\/span><\/h1>/);
    assert.ok(html.includes('Which heap escapes cost?') && html.includes('Does GC explain the latency?'));
    assert.match(html, /<span class="badge v-gc-explains">gc-explains<\/span> <code>syscall:bpf:BPF_MAP_UPDATE_ELEM<\/code> \(gap/);
    assert.equal(count(html, /<div class="finding /g), report.findings.length);
    for (const f of report.findings) {
      assert.ok(html.includes(`data-rule="${f.rule}"`), f.rule);
    }
    assert.match(html, /<b>ESC001<\/b> main\.go:23 allocates 35% of heap bytes/);
    assert.match(html, /<b>ESC002<\/b> Interface boxing at main\.go:23/);
    assert.ok(html.includes('<b>Recommendation:</b> Replace the map[string]interface {}{...} with a struct'));
  });

  it('has the escape-site table, biggest first, boxing flagged', () => {
    const table = html.slice(html.indexOf('<table id="escape-table">'), html.indexOf('</table>', html.indexOf('<table id="escape-table">')));
    const rows = table.split('<tr>').slice(2);
    assert.equal(rows.length, report.escapeSites.length);
    assert.match(rows[0]!, /<code>main\.go:23<\/code><\/td><td><code>main\.boxed<\/code><\/td><td class="expr mono"[^>]*>map\[string\]interface \{\}\{\.\.\.\}, pid, comm, ~R0<\/td>/);
    assert.match(rows[0]!, />boxing<\/span>/);
    assert.match(rows[0]!, /8\.0 MiB<\/td><td class="num">78,286<\/td>.*35\.3%.*9\.1%/);
    assert.match(rows[1]!, /main\.go:70/);
  });

  it('plots the GC timeline with the alignment stated, the distributions, and the flame graph', () => {
    assert.match(html, /<svg id="timeline"/);
    assert.equal(count(html, /<rect class="gc-band/g), 9, 'nine GC cycles');
    assert.ok(count(html, /<circle class="pt/g) > 0);
    assert.match(html, /GC clock → perf clock: gc-activity \(medium confidence\), offset 528\.26 s, residual ±267\.0 µs/);
    assert.match(html, /<svg id="distributions"/);
    assert.ok(count(html, /<g class="dist inside"/g) >= 1 && count(html, /<g class="dist outside"/g) >= 1);
    assert.match(html, /<svg id="flame"/);
    assert.ok(count(html, /<g class="fr"/g) > 10);
    assert.match(html, /<g class="fr" data-n="all" data-v="1413" /, 'the root holds every task-clock sample');
    assert.match(html, /data-n="main\.boxed" data-v="\d+"/);
  });

  it("plots the timeline's sampled operations: one point each, slow ones marked, hover says when and whether in GC", () => {
    // Every series the page plots draws each of its sampled operations from the artifact.
    const plotted = timelineSeries(report);
    assert.ok(plotted.length >= 2, `${plotted.length} series`);
    const kept = plotted.map((l) => timeline.series.find((p) => p.series === l.series && p.kind === l.kind)!.startNs.length);
    assert.equal(count(html, /<circle class="pt op/g), kept.reduce((a, b) => a + b, 0));
    const map = timeline.series.find((p) => p.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && p.kind === 'duration')!;
    assert.ok(count(html, /<circle class="pt op slow"/g) >= map.durationNs.filter((d) => d >= map.slowNs).length);
    assert.match(html, /data-n="syscall:bpf:BPF_MAP_UPDATE_ELEM \(duration\)" data-d="[\d.]+ µs at [\d.]+ (ms|s), during GC \d+/);
    assert.match(html, /Points: operations at their start time — syscall:bpf:BPF_MAP_UPDATE_ELEM 600 of 19,999 \(every one ≥ p99, then an even sample\); syscall:bpf:BPF_MAP_UPDATE_ELEM 600 of 20,000/);
    // Without the artifact: the per-cycle maxima the report itself holds.
    const bare = renderHtmlPage(report);
    assert.equal(count(bare, /<circle class="pt op/g), 0);
    assert.ok(count(bare, /<circle class="pt/g) > 0);
    assert.match(bare, /kept no per-operation sample/);
  });

  it('loads nothing from anywhere: no external URL, a CSP that forbids it, one static script', () => {
    assert.deepEqual(externalUrls(html), []);
    assert.ok(!/https?:\/\//.test(html.replace(/<div class="finding[\s\S]*?<\/div><\/div>/g, '')), 'no absolute URL outside finding text');
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${PAGE_META_CSP.replace(/'/g, '&#39;')}">`));
    assert.match(PAGE_META_CSP, /^default-src 'none';/);
    assert.ok(PAGE_CSP.startsWith(PAGE_META_CSP) && PAGE_CSP.endsWith("frame-ancestors 'none'"));
    assert.equal(count(html, /<script\b/g), 1);
    assert.ok(html.length < 2_000_000, `${html.length} characters`);
  });
});

describe('renderHtmlPage on hostile, failed, running and perf-less reports', () => {
  const hostile = '<script>alert(1)</script>';
  const site: EscapeSite = {
    file: 'evil"><img src=x onerror=alert(2)>.go',
    line: 1,
    column: 2,
    function: hostile,
    expression: `${hostile}{...}`,
    message: `x escapes to heap ' onmouseover='alert(3)`,
    diagnostics: [],
    boxing: true,
    boxingEvidence: ['<b>bold</b>'],
    reasons: [],
    allocBytes: 1024,
    allocObjects: 2,
    allocShare: 1,
    calleeAllocBytes: 0,
    cpuShare: 0,
  };

  it('escapes report-derived text everywhere: a function named <script> is text', () => {
    const result: AnalysisResult = {
      ...emptyResult(),
      escapeSites: [site],
      findings: [
        { id: 'x', rule: 'ESC001', severity: 'warning', title: hostile, message: '<img src=x onerror=alert(4)>', evidence: {}, recommendation: '</section><script>alert(5)</script>', location: { file: site.file, function: hostile } },
      ],
    };
    const html = renderHtmlPage(reportOf(result, { repo: hostile, branch: '"><svg onload=alert(6)>', labels: { '<k>': '<v>' } }), {
      flame: { event: '<ev>', folded: `${hostile};main.<b> 5\nmain.ok 1\n` },
    });
    assert.equal(count(html, /<script\b/g), 1, 'only the page script');
    assert.ok(!/<img|<svg onload|<b>bold|onerror=alert\(2\)>|' onmouseover='/i.test(html));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(html.includes('data-n="&lt;script&gt;alert(1)&lt;/script&gt;"'), 'a flame frame named <script> is an attribute value');
    assert.deepEqual(externalUrls(html), []);
  });

  it('renders a failed report with its error', () => {
    const html = renderHtmlPage(reportOf(emptyResult(), { status: 'failed', error: 'archive truncated <at> byte 12', completedAt: undefined }));
    assert.match(html, /<span class="badge s-failed" id="status">failed<\/span>/);
    assert.match(html, /<div class="error" id="error"><b>Analysis failed:<\/b> archive truncated &lt;at&gt; byte 12<\/div>/);
    assert.ok(!html.includes('<svg id="timeline"'));
  });

  it('renders a running report with its progress', () => {
    const html = renderHtmlPage(
      reportOf(emptyResult(), { status: 'running', progress: { archiveBytesRead: 1024 * 1024, archiveBytes: 4 * 1024 * 1024, entriesRead: 3, currentEntry: 'perf.script.txt' } }),
    );
    assert.match(html, /<p id="progress"><progress max="4194304" value="1048576"><\/progress> Running: 1\.0 MiB of 4\.0 MiB read, 3 entries, reading <code>perf\.script\.txt<\/code>/);
  });

  it('a report with no perf data renders without plots and says so', () => {
    const html = renderHtmlPage(reportOf({ ...emptyResult(), escapeSites: [{ ...site, file: 'main.go', function: 'main.f', expression: 'x', message: 'x escapes', boxingEvidence: [] }] }));
    for (const id of ['timeline', 'distributions', 'flame']) {
      assert.ok(!html.includes(`<svg id="${id}"`), `no ${id} plot`);
      assert.match(html, new RegExp(`<p class="empty" id="${id}-empty">`), `says why there is no ${id}`);
    }
    assert.match(html, /No perf data and no GC trace in this report: nothing to plot\./);
    assert.match(html, /<table id="escape-table">/);
  });
});

describe('flame graph caps', () => {
  it('keeps the hottest stacks within the stack and size budget, and counts the rest', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `p;f${i % 50};g${i} ${i + 1}`);
    const s = hottestStacks(lines.join('\n'));
    assert.equal(s.stacks.length, FLAME_LIMITS.stacks);
    assert.equal(s.totalStacks, 5000);
    assert.equal(s.stacks[0]!.weight, 5000);
    assert.equal(s.totalWeight, (5000 * 5001) / 2);
    const small = hottestStacks(lines.join('\n'), { stacks: 10_000, chars: 100 });
    assert.ok(small.stacks.length > 0 && small.stacks.length < 20);
  });
});
