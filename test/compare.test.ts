// Comparisons on the real mapstress recordings: boxed (map[string]interface{} per event) against struct.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../shared/analyses/analyze.js';
import { compareReports } from '../shared/analyses/compare/compare.js';
import { parseThresholdsQuery } from '../shared/analyses/compare/gate.js';
import type { AnalysisResult } from '../shared/model/report.js';
import { renderCompareMarkdown } from '../shared/report/compare-markdown.js';
import { analysedSample } from './helpers/reports.js';
import { BOXED_ARCHIVE, STRUCT_ARCHIVE } from './helpers/samples.js';

// Each archive is analysed once for the whole file.
const cache = new Map<string, Promise<AnalysisResult>>();
function analysed(path: string): Promise<AnalysisResult> {
  let p = cache.get(path);
  if (!p) {
    p = analysedSample(path);
    cache.set(path, p);
  }
  return p;
}

describe('compare on the mapstress recordings', () => {
  it('struct (head) vs boxed (base): main.go:23 is gone, no ESC003, the gate passes', async () => {
    const c = compareReports(await analysed(BOXED_ARCHIVE), await analysed(STRUCT_ARCHIVE));
    const s23 = c.sites.find((s) => s.file.endsWith('main.go') && s.line === 23);
    assert.ok(s23, c.sites.map((s) => `${s.status} ${s.file}:${s.line}`).join(', '));
    assert.ok(s23.status === 'gone' || s23.status === 'shrunk', s23.status);
    assert.ok(s23.baseBytes > 8_000_000 && s23.headBytes < s23.baseBytes);
    assert.equal(c.findings.filter((f) => f.rule === 'ESC003').length, 0);
    assert.equal(c.gate.verdict, 'pass', c.gate.reasons.join('\n'));
    assert.ok(c.allocBytes.delta < 0);
    assert.ok(c.gate.reasons.length > 0);
    const md = renderCompareMarkdown(c);
    assert.match(md.split('\n')[0]!, /gate: \*\*pass\*\*/);
    assert.match(md, /\| gone \| `main\.go:23:31`/);
  });

  it('boxed (head) vs struct (base): ESC003 at main.go:23 and the gate fails naming main.go:23', async () => {
    const boxed = await analysed(BOXED_ARCHIVE);
    const struct = await analysed(STRUCT_ARCHIVE);
    const c = compareReports(struct, boxed);
    assert.equal(c.gate.verdict, 'fail');
    assert.ok(c.gate.reasons.some((r) => r.includes('main.go:23')), c.gate.reasons.join('\n'));
    const f = c.findings.find((x) => x.rule === 'ESC003' && x.location?.line === 23);
    assert.ok(f, JSON.stringify(c.findings));
    assert.equal(f.location?.file, 'main.go');
    assert.equal(f.location?.column, 31);
    assert.equal(f.location?.function, 'main.boxed');
    assert.equal(f.severity, 'error');
    assert.equal(f.evidence.baseBytes, 0);
    assert.ok((f.evidence.headBytes as number) > 8_000_000);
    assert.equal(f.evidence.deltaBytes, f.evidence.headBytes);
    assert.ok((f.evidence.deltaShare as number) > 0.3);
    assert.match(f.recommendation, /concrete/);
    assert.match(f.recommendation, /map literal value/, 'names the escape reason');
    assert.match(f.id, /^ESC003-[0-9a-f]{12}$/);
    // The GC verdict of the update loop's cadence changes, and the gate says so.
    const gap = c.latency.find((s) => s.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && s.kind === 'gap')!;
    assert.equal(gap.baseVerdict, 'no-evidence');
    assert.equal(gap.headVerdict, 'gc-explains');
    assert.ok(c.gate.reasons.some((r) => /gc-explains/.test(r)));
    assert.ok(c.gc.cycles.head > c.gc.cycles.base);
    // mallocgc's self share grows in the task-clock hotspot.
    const tc = c.hotspots.find((h) => h.event === 'task-clock')!;
    assert.ok(tc.functions.find((fn) => fn.name === 'runtime.mallocgc')!.deltaSelfShare > 0.03);

    const md = renderCompareMarkdown(c);
    assert.match(md.split('\n')[0]!, /❌ TraceLens gate: \*\*fail\*\*/);
    assert.ok(md.indexOf('main.go:23') < md.indexOf('### Escape sites'), 'the reasons (first) name the site');
    assert.match(md, /\| new ❌ \| `main\.go:23:31`/);
    assert.match(md, /no-evidence → \*\*gc-explains\*\*/);
  });

  it('ESC003 ids are the same in every run, and lenient request thresholds turn the verdict', async () => {
    const c1 = compareReports(await analysed(STRUCT_ARCHIVE), await analysed(BOXED_ARCHIVE));
    const again = await analyze([{ name: 'boxed.tar.gz', body: createReadStream(BOXED_ARCHIVE) }]);
    assert.equal(again.error, undefined);
    const c2 = compareReports(await analysed(STRUCT_ARCHIVE), again.result);
    assert.deepEqual(
      c2.findings.map((f) => f.id),
      c1.findings.map((f) => f.id),
    );
    const lenient = compareReports(
      await analysed(STRUCT_ARCHIVE),
      await analysed(BOXED_ARCHIVE),
      parseThresholdsQuery({
        base: 'branch:main',
        maxNewSiteBytes: '1GiB',
        maxNewSiteShare: '100%',
        maxTotalGrowthRatio: '10',
        failOnGcExplains: 'false',
      }),
    );
    assert.equal(lenient.gate.verdict, 'pass', lenient.gate.reasons.join('\n'));
    const f = lenient.findings.find((x) => x.location?.line === 23)!;
    assert.equal(f.severity, 'warning', 'still reported, no longer over the gate');
    assert.equal(f.id, c1.findings.find((x) => x.location?.line === 23)!.id);
  });

  it('a report compared with itself passes with no ESC003', async () => {
    const boxed = await analysed(BOXED_ARCHIVE);
    const c = compareReports(boxed, structuredClone(boxed));
    assert.equal(c.gate.verdict, 'pass', c.gate.reasons.join('\n'));
    assert.equal(c.findings.length, 0);
    assert.equal(c.sites.length, 0);
    assert.ok(c.latency.every((s) => !s.verdictChanged && s.p99Ns.delta === 0));
  });
});
