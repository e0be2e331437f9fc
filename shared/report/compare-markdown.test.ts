import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareReports } from '../analyses/compare/compare.js';
import { emptyResult, type AnalysisResult, type EscapeSite } from '../model/report.js';
import { renderCompareMarkdown } from './compare-markdown.js';

const MiB = 1 << 20;

function withSite(total: number, s: Partial<EscapeSite>): AnalysisResult {
  return {
    ...emptyResult(),
    inputs: [{ name: 'heap.pb', kind: 'pprof', bytes: 1, warnings: [], summary: { totals: { 'alloc_space/bytes': total } } }],
    escapeSites: [
      {
        file: 'main.go',
        line: 23,
        column: 31,
        function: 'main.boxed',
        expression: 'map[string]interface {}{...}, pid',
        message: 'map[string]interface {}{...} escapes to heap',
        diagnostics: [],
        boxing: true,
        boxingEvidence: [],
        reasons: ['map literal value'],
        allocBytes: 0,
        allocObjects: 0,
        allocShare: 0,
        calleeAllocBytes: 0,
        cpuShare: 0,
        ...s,
      },
    ],
  };
}

describe('renderCompareMarkdown', () => {
  it('puts the verdict and its reasons first, then the site table and findings', () => {
    const c = compareReports(withSite(4 * MiB, {}), withSite(12 * MiB, { allocBytes: 8 * MiB, allocShare: 8 / 12, allocObjects: 10 }));
    const md = renderCompareMarkdown(c);
    const lines = md.split('\n');
    assert.equal(lines[0], '## ❌ TraceLens gate: **fail**');
    assert.ok(lines.indexOf('**Why it fails:**') < lines.indexOf('### Escape sites'));
    assert.match(md, /- New escape site main\.go:23 /);
    assert.match(md, /\| new ❌ \| `main\.go:23:31` main\.boxed \| map\[string\]interface \{\}\{\.\.\.\}, pid \| 0 B \| 8\.0 MiB \| \+8\.0 MiB \| new \|/);
    assert.match(md, /\*\*ESC003\*\* \(error\) `ESC003-[0-9a-f]{12}`/);
    assert.match(md, /### GC/);
  });

  it('a passing comparison lists what was checked', () => {
    const r = withSite(4 * MiB, { allocBytes: MiB, allocShare: 0.25 });
    const md = renderCompareMarkdown(compareReports(r, r));
    assert.equal(md.split('\n')[0], '## ✅ TraceLens gate: **pass**');
    assert.match(md, /\*\*Checked:\*\*/);
    assert.match(md, /No escape site changed its allocated bytes \(1 unchanged\)\./);
  });
});
