import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GcCycle } from '../../model/gc.js';
import { emptyResult } from '../../model/report.js';
import { gcFindings } from './findings.js';

function cycle(n: number, sweepTermNs: number, markTermNs: number): GcCycle {
  return { n, startNs: n * 1e7, sweepTermNs, markNs: 500_000, markTermNs, forced: false } as unknown as GcCycle;
}

describe('gcFindings', () => {
  it('GC002 from gctrace CPU share, GC004 for the longest STW pause, nothing below thresholds', () => {
    const result = emptyResult();
    result.gc.cycles = [cycle(1, 50_000, 40_000), cycle(2, 3_000_000, 60_000), cycle(3, 70_000, 1_500_000)];
    const found = gcFindings(result, 0.3);
    assert.deepEqual(found.map((f) => `${f.rule} ${f.severity}`), ['GC002 error', 'GC004 warning']);
    assert.equal(found[1]!.title, 'Stop-the-world pauses up to 3.00 ms (2 above 1.00 ms)');
    assert.equal(found[1]!.evidence.cycle, 2);
    assert.deepEqual(gcFindings({ ...result, gc: { cycles: [cycle(1, 50_000, 40_000)], alignment: null } }, 0.02), []);
  });

  it('GC003 when assists dominate mark CPU, naming who pays them; MEM001 for faults in fresh mappings', () => {
    const result = emptyResult();
    const c = cycle(1, 50_000, 40_000);
    (c as { cpu: unknown }).cpu = { sweepTermNs: 10_000, assistNs: 600_000, backgroundNs: 300_000, idleNs: 100_000, markTermNs: 10_000 };
    result.gc.cycles = [c];
    result.pageFaults = {
      source: 'perf.txt',
      faults: 40,
      inFresh: 30,
      inRegion: 35,
      noAddress: 0,
      regions: [{ file: 'anon_inode:bpf-map', kind: 'bpf', start: '0x7f0000000000', length: 4096, pid: 1, mappedAtNs: 1, faults: 30, firstFaultAfterNs: 2000 }],
      regionsHeld: 1,
      regionsDropped: 0,
      delaysDropped: 0,
    } as never;
    const assists = { assistWeight: 9, totalWeight: 100, gcWeight: 20, functions: [{ name: 'main.boxed', weight: 6, share: 6 / 9 }, { name: '(runtime)', weight: 3, share: 3 / 9 }] };
    const found = gcFindings(result, null, assists);
    assert.deepEqual(found.map((f) => f.rule), ['GC003', 'MEM001']);
    assert.equal(found[0]!.location?.function, 'main.boxed');
    assert.match(found[0]!.title, /^Mark assists are 60\.0% of GC mark CPU; main\.boxed pays the most$/);
    assert.match(found[1]!.message, /anon_inode:bpf-map \[bpf\] 30 faults/);
  });

  it('BPF001 only for bpf series with a real tail, SCHED001 only for a program thread group', () => {
    const result = emptyResult();
    const base = { source: 'perf.txt', count: 1000, p90Ns: 0, sumNs: 0 };
    result.latency = [
      { ...base, series: 'syscall:bpf:BPF_MAP_UPDATE_ELEM', kind: 'duration', p50Ns: 5_000, p99Ns: 30_000, p999Ns: 50_000, maxNs: 90_000 },
      { ...base, series: 'syscall:bpf:BPF_MAP_LOOKUP_ELEM', kind: 'duration', p50Ns: 5_000, p99Ns: 9_000, p999Ns: 9_000, maxNs: 9_000 },
      { ...base, series: 'runqueue:app', kind: 'runqueue', p50Ns: 10_000, p99Ns: 2_000_000, p999Ns: 3_000_000, maxNs: 4_000_000 },
      { ...base, series: 'runqueue', kind: 'runqueue', p50Ns: 10_000, p99Ns: 2_000_000, p999Ns: 3_000_000, maxNs: 4_000_000 },
    ];
    const rules = gcFindings(result, null).map((f) => `${f.rule} ${f.evidence.series}`);
    assert.deepEqual(rules, ['BPF001 syscall:bpf:BPF_MAP_UPDATE_ELEM', 'SCHED001 runqueue:app']);
  });
});
