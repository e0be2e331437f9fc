import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisResult, EscapeSite } from '../../model/report.js';
import { emptyEscapeSite, emptyResult } from '../../model/report.js';
import { compareReports, esc003Id, matchSites } from './compare.js';

const MiB = 1 << 20;

function site(o: Partial<EscapeSite> & Pick<EscapeSite, 'file' | 'line'>): EscapeSite {
  return emptyEscapeSite({ column: 5, expression: 'make([]byte, 64)', message: 'make([]byte, 64) escapes to heap', ...o });
}

/** A result whose heap profile allocated `total` bytes; shares derive from it. */
function result(total: number, sites: EscapeSite[], extra: Partial<AnalysisResult> = {}): AnalysisResult {
  return {
    ...emptyResult(),
    inputs: [{ name: 'heap.pb.gz', kind: 'pprof', bytes: 1, warnings: [], summary: { role: 'heap', totals: { 'alloc_space/bytes': total } } }],
    escapeSites: sites.map((s) => ({ ...s, allocShare: total > 0 ? s.allocBytes / total : 0 })),
    ...extra,
  };
}

/** A duration series; `gc` carries only the verdict, which is all the comparison reads of it. */
function series(name: string, p99Ns: number, verdict: 'gc-explains' | 'no-evidence', count = 1000): AnalysisResult['latency'][number] {
  return {
    series: name,
    kind: 'duration' as const,
    count,
    p50Ns: 5000,
    p90Ns: 10000,
    p99Ns,
    p999Ns: p99Ns * 2,
    maxNs: p99Ns * 4,
    sumNs: count * 6000,
    source: 'perf.script.txt',
    gc: { verdict, verdictReason: '' } as unknown as AnalysisResult['latency'][number]['gc'],
  };
}

describe('compareReports', () => {
  it('matches sites across differing path prefixes and classifies new, gone, grown, shrunk', () => {
    const base = result(20 * MiB, [
      site({ file: '/go/src/mapstress/main.go', line: 10, allocBytes: 2 * MiB }),
      site({ file: '/go/src/mapstress/main.go', line: 20, allocBytes: 4 * MiB }),
      site({ file: '/go/src/mapstress/main.go', line: 30, allocBytes: 1 * MiB }),
      site({ file: '/go/src/mapstress/main.go', line: 40, allocBytes: 1 * MiB }),
    ]);
    const head = result(20 * MiB, [
      site({ file: 'main.go', line: 10, allocBytes: 4 * MiB }), // grown +100%, +2 MiB
      site({ file: './main.go', line: 20, allocBytes: 1 * MiB }), // shrunk
      site({ file: 'main.go', line: 30, allocBytes: 0 }), // gone (0 where base had bytes)
      site({ file: 'main.go', line: 40, allocBytes: 1 * MiB }), // unchanged
      site({ file: 'main.go', line: 50, allocBytes: 3 * MiB, expression: 'x', message: 'moved to heap: x' }), // new
      site({ file: 'other/main.go', line: 60, allocBytes: 0 }), // nothing on either side
    ]);
    const c = compareReports(base, head);
    const by = Object.fromEntries(c.sites.map((s) => [s.line, s]));
    assert.deepEqual(
      c.sites.map((s) => `${s.status}:${s.line}`),
      ['new:50', 'grown:10', 'gone:30', 'shrunk:20'],
    );
    assert.equal(c.unchangedSites, 1);
    assert.equal(by[10]!.file, 'main.go');
    assert.equal(by[10]!.baseFile, '/go/src/mapstress/main.go');
    assert.equal(by[10]!.deltaBytes, 2 * MiB);
    assert.equal(by[10]!.deltaRatio, 1);
    assert.equal(by[10]!.deltaShare, 0.1);
    assert.equal(by[50]!.deltaRatio, null);
    assert.equal(by[30]!.headBytes, 0);
    // Both gate-crossing sites get ESC003 errors; the gate names them.
    assert.equal(c.gate.verdict, 'fail');
    assert.ok(c.gate.reasons.some((r) => r.includes('main.go:50')));
    assert.ok(c.gate.reasons.some((r) => r.includes('main.go:10')));
    const esc = c.findings.filter((f) => f.rule === 'ESC003');
    assert.deepEqual(esc.map((f) => [f.location?.line, f.severity]), [
      [50, 'error'],
      [10, 'error'],
    ]);
    assert.match(esc[0]!.recommendation, /stack/);
  });

  it('does not match different files that share a basename, nor a different column or expression', () => {
    const base = [site({ file: 'a/x.go', line: 1, allocBytes: 10 }), site({ file: 'x.go', line: 2, column: 3, allocBytes: 10 })];
    const head = [site({ file: 'b/x.go', line: 1, allocBytes: 10 }), site({ file: 'x.go', line: 2, column: 4, allocBytes: 10 })];
    const m = matchSites(base, head);
    assert.equal(m.pairs.length, 0);
    assert.equal(m.onlyBase.length, 2);
    assert.equal(m.onlyHead.length, 2);
  });

  it('prefers the longest common path suffix and falls back to the first expression', () => {
    const base = [
      site({ file: '/src/a/x.go', line: 1, allocBytes: 1 }),
      site({ file: '/src/b/x.go', line: 1, allocBytes: 2 }),
      site({ file: 'y.go', line: 7, expression: 'v, w', allocBytes: 3 }),
    ];
    const head = [site({ file: 'b/x.go', line: 1, allocBytes: 5 }), site({ file: 'y.go', line: 7, expression: 'v', allocBytes: 3 })];
    const m = matchSites(base, head);
    assert.deepEqual(
      m.pairs.map(([b, h]) => [b.file, h.file]),
      [
        ['/src/b/x.go', 'b/x.go'],
        ['y.go', 'y.go'],
      ],
    );
  });

  it('identical reports pass, with no ESC003 and the checks listed', () => {
    const r = result(10 * MiB, [site({ file: 'main.go', line: 23, allocBytes: 5 * MiB })], {
      latency: [series('syscall:read', 100_000, 'no-evidence')],
    });
    const c = compareReports(r, structuredClone(r));
    assert.equal(c.gate.verdict, 'pass');
    assert.equal(c.findings.length, 0);
    assert.equal(c.sites.length, 0);
    assert.equal(c.unchangedSites, 1);
    assert.ok(c.gate.reasons.length >= 4, c.gate.reasons.join('\n'));
    assert.ok(c.gate.reasons.every((r) => /\d/.test(r)));
  });

  it('ESC003 ids are stable: the same site gets the same id whatever its numbers', () => {
    const base = result(10 * MiB, [site({ file: 'main.go', line: 23, allocBytes: MiB })]);
    const h1 = result(10 * MiB, [site({ file: 'main.go', line: 23, allocBytes: 3 * MiB })]);
    const h2 = result(12 * MiB, [site({ file: './main.go', line: 23, allocBytes: 5 * MiB })]);
    const a = compareReports(base, h1).findings;
    const b = compareReports(base, h2).findings;
    assert.equal(a.length, 1);
    assert.equal(a[0]!.id, b[0]!.id);
    assert.equal(a[0]!.id, esc003Id({ file: 'main.go', line: 23, column: 5, expression: 'make([]byte, 64)' }));
    assert.match(a[0]!.id, /^ESC003-[0-9a-f]{12}$/);
    assert.match(a[0]!.recommendation, /[Pp]re-allocate/);
  });

  it('small changes are warnings or nothing, not gate failures', () => {
    const base = result(100 * MiB, [site({ file: 'main.go', line: 5, allocBytes: 10 * MiB })]);
    const head = result(100 * MiB, [
      site({ file: 'main.go', line: 5, allocBytes: 10 * MiB + 512 * 1024 }), // +5%: below reportGrowthRatio
      site({ file: 'main.go', line: 9, allocBytes: 128 * 1024 }), // new, 128 KiB: ESC003 warning only
      site({ file: 'main.go', line: 11, allocBytes: 1024 }), // new, 1 KiB: not reported
    ]);
    const c = compareReports(base, head);
    assert.equal(c.gate.verdict, 'pass', c.gate.reasons.join('\n'));
    assert.deepEqual(c.findings.map((f) => [f.location?.line, f.severity]), [[9, 'warning']]);
  });

  it('gates on total bytes, GC verdicts, p99 with its floor, and GC CPU share; thresholds override', () => {
    const gctrace = (share: number) => ({ name: 'gctrace.txt', kind: 'gctrace' as const, bytes: 1, warnings: [], summary: { gcCpuShare: share } });
    const base = result(10 * MiB, [], {
      latency: [series('syscall:read', 100_000, 'no-evidence'), series('syscall:write', 10_000, 'no-evidence')],
    });
    base.inputs.push(gctrace(0.02));
    const head = result(13 * MiB, [], {
      latency: [series('syscall:read', 160_000, 'gc-explains'), series('syscall:write', 30_000, 'no-evidence')],
    });
    head.inputs.push(gctrace(0.08));
    const c = compareReports(base, head);
    assert.equal(c.gate.verdict, 'fail');
    const text = c.gate.reasons.join('\n');
    assert.match(text, /Allocated bytes grew from 10\.0 MiB to 13\.0 MiB/);
    assert.match(text, /GC now explains the slow operations of syscall:read/);
    assert.match(text, /p99 of syscall:read .* 100\.0 µs to 160\.0 µs/);
    assert.doesNotMatch(text, /p99 of syscall:write/, 'below the 50 µs floor');
    assert.match(text, /GC's share of CPU grew from 2\.0% to 8\.0% \(\+6\.0 points\)/);
    assert.equal(c.latency.find((s) => s.series === 'syscall:read')!.verdictChanged, true);
    const lenient = compareReports(base, head, {
      maxTotalGrowthRatio: 0.5,
      failOnGcExplains: false,
      maxP99GrowthRatio: 1,
      maxGcCpuShareGrowth: 0.1,
    });
    assert.equal(lenient.gate.verdict, 'pass', lenient.gate.reasons.join('\n'));
    assert.equal(lenient.thresholds.maxP99GrowthRatio, 1);
  });

  it('uses base and head metadata of reports', () => {
    const r = { ...result(0, []), id: '01JDQ8ZK3M7W5X2R9T4B6N8C0E', branch: 'main', commit: 'abc' };
    const c = compareReports(r as never, result(0, []));
    assert.deepEqual(c.base, { id: '01JDQ8ZK3M7W5X2R9T4B6N8C0E', branch: 'main', commit: 'abc' });
    assert.deepEqual(c.head, {});
    assert.equal(c.gate.verdict, 'pass');
  });
});
