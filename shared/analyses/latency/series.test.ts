import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { PerfSample, Tracepoint } from '../../model/perf.js';
import { fromBuffer } from '../../parsers/bytes.js';
import { gunzip } from '../../parsers/gzip.js';
import { parsePerfScript } from '../../parsers/perf-script/index.js';
import { LatencySeriesBuilder, percentile } from './series.js';

let line = 0;
function s(tid: number, timeNs: bigint, event: string, tracepoint: Tracepoint): PerfSample {
  return { kind: 'sample', line: ++line, comm: 'x', tid, timeNs, event, payload: '', frames: [], tracepoint };
}
const enter = (tid: number, t: bigint, syscall: string, args: Record<string, string> = {}) =>
  s(tid, t, `syscalls:sys_enter_${syscall}`, { type: 'sys_enter', syscall, args });
const exit = (tid: number, t: bigint, syscall: string) =>
  s(tid, t, `syscalls:sys_exit_${syscall}`, { type: 'sys_exit', syscall, ret: 0n });
const find = (b: LatencySeriesBuilder, series: string, kind = 'duration') =>
  b.series().find((x) => x.series === series && x.kind === kind);

describe('percentile (nearest rank)', () => {
  it('picks rank ceil(p * n) of a known list', () => {
    const v = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(percentile(v, 0.5), 5);
    assert.equal(percentile(v, 0.9), 9);
    assert.equal(percentile(v, 0.99), 10);
    assert.equal(percentile(v, 0.999), 10);
    assert.equal(percentile([], 0.5), 0);
    assert.equal(percentile([7], 0.5), 7);
  });

  it('summarizes an unsorted series exactly', () => {
    const b = new LatencySeriesBuilder();
    const durs = [40, 10, 30, 20, 100, 50, 60, 70, 80, 90];
    let t = 1000n;
    for (const d of durs) {
      b.sample(enter(1, t, 'read'));
      b.sample(exit(1, t + BigInt(d), 'read'));
      t += 1000n;
    }
    assert.deepEqual(find(b, 'syscall:read'), {
      series: 'syscall:read', kind: 'duration', count: 10,
      p50Ns: 50, p90Ns: 90, p99Ns: 100, p999Ns: 100, maxNs: 100, sumNs: 550, unmatched: 0,
    });
    const gap = find(b, 'syscall:read', 'gap');
    assert.equal(gap?.count, 9);
    assert.equal(gap?.maxNs, 1000);
    assert.deepEqual(b.events('syscall:read')[1], { startNs: 2000n, durationNs: 10, tid: 1 });
  });
});

describe('LatencySeriesBuilder syscalls', () => {
  it('splits bpf by command and pairs per thread', () => {
    const b = new LatencySeriesBuilder();
    b.sample(enter(1, 100n, 'bpf', { cmd: '0x00000002' }));
    b.sample(enter(2, 110n, 'bpf', { cmd: '0x00000000' }));
    b.sample(exit(1, 150n, 'bpf'));
    b.sample(exit(2, 400n, 'bpf'));
    assert.equal(find(b, 'syscall:bpf:BPF_MAP_UPDATE_ELEM')?.maxNs, 50);
    assert.equal(find(b, 'syscall:bpf:BPF_MAP_CREATE')?.maxNs, 290);
  });

  it('drops and counts an exit without an enter', () => {
    const b = new LatencySeriesBuilder();
    b.sample(exit(1, 100n, 'read'));
    b.sample(enter(1, 200n, 'read'));
    b.sample(exit(1, 250n, 'read'));
    assert.equal(find(b, 'syscall:read')?.count, 1);
    assert.equal(find(b, 'syscall:read')?.unmatched, 1);
    assert.deepEqual(b.unmatched(), { 'syscall:read': 1 });
  });

  it('drops and counts the first of two enters in a row, and an exit of another syscall', () => {
    const b = new LatencySeriesBuilder();
    b.sample(enter(1, 100n, 'bpf', { cmd: '0x00000002' }));
    b.sample(enter(1, 200n, 'bpf', { cmd: '0x00000002' }));
    b.sample(exit(1, 230n, 'bpf'));
    assert.deepEqual(b.events('syscall:bpf:BPF_MAP_UPDATE_ELEM'), [{ startNs: 200n, durationNs: 30, tid: 1 }]);
    b.sample(enter(1, 300n, 'write'));
    b.sample(exit(1, 310n, 'read'));
    assert.deepEqual(b.unmatched(), { 'syscall:bpf:BPF_MAP_UPDATE_ELEM': 1, 'syscall:write': 1, 'syscall:read': 1 });
    assert.equal(find(b, 'syscall:write'), undefined);
  });

  it('pairs raw_syscalls by NR apart from the named tracepoints', () => {
    const b = new LatencySeriesBuilder();
    b.sample(s(1, 100n, 'raw_syscalls:sys_enter', { type: 'raw_sys_enter', id: 321, args: ['2'] }));
    b.sample(enter(1, 101n, 'bpf', { cmd: '0x00000002' }));
    b.sample(exit(1, 140n, 'bpf'));
    b.sample(s(1, 141n, 'raw_syscalls:sys_exit', { type: 'raw_sys_exit', id: 321, ret: 0n }));
    assert.equal(find(b, 'syscall:nr321')?.maxNs, 41);
    assert.equal(find(b, 'syscall:bpf:BPF_MAP_UPDATE_ELEM')?.maxNs, 39);
    assert.deepEqual(b.unmatched(), {});
  });
});

describe('LatencySeriesBuilder probes', () => {
  const probe = (tid: number, t: bigint, ret: boolean, group = 'probe_mapstress') =>
    s(tid, t, `${group}:main_update${ret ? '__return' : ''}`, { type: 'probe', name: 'main_update', ret, args: {}, group });

  it('pairs an entry with its return on the same thread', () => {
    const b = new LatencySeriesBuilder();
    b.sample(probe(1, 100n, false));
    b.sample(probe(2, 105n, false));
    b.sample(probe(1, 180n, true));
    b.sample(probe(2, 125n + 100n, true));
    b.sample(probe(1, 300n, false));
    b.sample(probe(1, 310n, true));
    assert.deepEqual(b.events('probe:probe_mapstress:main_update'), [
      { startNs: 100n, durationNs: 80, tid: 1 },
      { startNs: 105n, durationNs: 120, tid: 2 },
      { startNs: 300n, durationNs: 10, tid: 1 },
    ]);
    assert.deepEqual(b.events('probe:probe_mapstress:main_update', 'gap'), [{ startNs: 100n, durationNs: 200, tid: 1 }]);
  });

  it('counts a return without an entry and a second entry', () => {
    const b = new LatencySeriesBuilder();
    b.sample(probe(1, 50n, true, 'probe'));
    b.sample(probe(1, 100n, false, 'probe'));
    b.sample(probe(1, 110n, false, 'probe'));
    b.sample(probe(1, 115n, true, 'probe'));
    assert.equal(find(b, 'probe:probe:main_update')?.count, 1);
    assert.equal(find(b, 'probe:probe:main_update')?.unmatched, 2);
  });
});

describe('LatencySeriesBuilder run-queue delay', () => {
  const wake = (t: bigint, pid: number, comm: string, variant?: 'wakeup' | 'wakeup_new' | 'waking') =>
    s(99, t, `sched:sched_${variant ?? 'wakeup'}`, { type: 'sched_wakeup', comm, pid, variant });
  const sw = (t: bigint, prevPid: number, nextPid: number) =>
    s(prevPid, t, 'sched:sched_switch', { type: 'sched_switch', prevComm: 'a', prevPid, prevState: 'S', nextComm: 'b', nextPid });

  it('measures wakeup to switch-in per woken tid and comm', () => {
    const b = new LatencySeriesBuilder();
    b.sample(wake(1000n, 7, 'worker'));
    b.sample(wake(1100n, 8, 'other', 'wakeup_new'));
    b.sample(sw(1500n, 3, 8));
    b.sample(sw(1700n, 8, 7));
    b.sample(sw(1800n, 7, 0)); // no wakeup pending for 0
    assert.deepEqual(b.events('runqueue', 'runqueue'), [
      { startNs: 1100n, durationNs: 400, tid: 8 },
      { startNs: 1000n, durationNs: 700, tid: 7 },
    ]);
    assert.equal(find(b, 'runqueue:worker', 'runqueue')?.maxNs, 700);
    assert.equal(find(b, 'runqueue:other', 'runqueue')?.count, 1);
  });

  it('ignores sched_waking when sched_wakeup is present, uses it otherwise', () => {
    const both = new LatencySeriesBuilder();
    both.sample(wake(1000n, 7, 'w', 'waking'));
    both.sample(wake(1010n, 7, 'w'));
    both.sample(sw(1100n, 0, 7));
    assert.deepEqual(both.events('runqueue', 'runqueue'), [{ startNs: 1010n, durationNs: 90, tid: 7 }]);
    const waking = new LatencySeriesBuilder();
    waking.sample(wake(1000n, 7, 'w', 'waking'));
    waking.sample(sw(1100n, 0, 7));
    assert.equal(find(waking, 'runqueue', 'runqueue')?.maxNs, 100);
  });

  it('forgets a wakeup of a task that was on a CPU when switched out', () => {
    const b = new LatencySeriesBuilder();
    b.sample(wake(1000n, 7, 'w'));
    b.sample(sw(1100n, 7, 0));
    b.sample(sw(5000n, 0, 7));
    assert.equal(find(b, 'runqueue', 'runqueue'), undefined);
  });
});

describe('LatencySeriesBuilder cadence scope', () => {
  const call = (b: LatencySeriesBuilder, tid: number, t: bigint, d: bigint, comm = 'x', pid?: number) => {
    b.sample({ ...enter(tid, t, 'read'), comm, ...(pid !== undefined ? { pid } : {}) });
    b.sample({ ...exit(tid, t + d, 'read'), comm, ...(pid !== undefined ? { pid } : {}) });
  };

  it('a serial loop that migrates between threads has per-process gaps', () => {
    const b = new LatencySeriesBuilder();
    // One goroutine: calls every 1000 ns, on thread 1 then 2 then 1 again.
    for (let i = 0; i < 30; i++) call(b, i < 10 || i >= 20 ? 1 : 2, BigInt(i * 1000), 100n);
    const gap = find(b, 'syscall:read', 'gap')!;
    assert.equal(gap.scope, 'process');
    assert.equal(gap.count, 29);
    assert.equal(gap.maxNs, 1000); // per thread, thread 1 would show a 11 000 ns gap
  });

  it('concurrent callers in one process have per-thread gaps', () => {
    const b = new LatencySeriesBuilder();
    // Two goroutines on threads 1 and 2, each calling every 1000 ns for 500 ns, offset by 200 ns.
    for (let i = 0; i < 20; i++) {
      call(b, 1, BigInt(i * 1000), 500n, 'x', 7);
      call(b, 2, BigInt(i * 1000 + 200), 500n, 'x', 7);
    }
    const gap = find(b, 'syscall:read', 'gap')!;
    assert.equal(gap.scope, 'thread');
    assert.equal(gap.count, 38);
    assert.equal(gap.p50Ns, 1000);
  });

  it('processes are told apart by pid, or by command name without one', () => {
    const b = new LatencySeriesBuilder();
    for (let i = 0; i < 10; i++) {
      call(b, 1, BigInt(i * 1000), 100n, 'a');
      call(b, 2, BigInt(i * 1000 + 500), 100n, 'b'); // another program, interleaved but never overlapping
    }
    const gap = find(b, 'syscall:read', 'gap')!;
    assert.equal(gap.scope, 'process');
    assert.equal(gap.count, 18);
    assert.equal(gap.maxNs, 1000);
  });
});

describe('LatencySeriesBuilder on the boxed sample', () => {
  it('has 20000 BPF_MAP_UPDATE_ELEM calls, their cadence and run-queue delay', async () => {
    const path = new URL('../../../test/fixtures/samples/mapstress-boxed/perf.script.txt.gz', import.meta.url);
    const file = 'perf.script.txt.gz';
    const b = new LatencySeriesBuilder();
    await parsePerfScript(gunzip(fromBuffer(readFileSync(path)), { file }), { sample: (x) => b.sample(x) }, { file });
    const all = b.series();
    const upd = find(b, 'syscall:bpf:BPF_MAP_UPDATE_ELEM')!;
    assert.equal(upd.count, 20000);
    assert.equal(upd.unmatched, 0);
    assert.equal(find(b, 'syscall:bpf:BPF_MAP_CREATE')?.count, 2);
    for (const x of all) {
      for (const v of [x.p50Ns, x.p90Ns, x.p99Ns, x.p999Ns, x.maxNs, x.sumNs]) assert.ok(Number.isInteger(v), `${x.series} ${v}`);
      assert.ok(x.p50Ns <= x.p90Ns && x.p90Ns <= x.p99Ns && x.p99Ns <= x.p999Ns && x.p999Ns <= x.maxNs, x.series);
    }
    // The updates ran on 4 threads (tids 6341: 4903, 6344: 1520, 6345: 9384, 6346: 4193, as the Go
    // scheduler moved the goroutine) but one after the other: the cadence is the process's, 19999 gaps,
    // the largest being the largest distance between consecutive starts in time order.
    const ev = b.events('syscall:bpf:BPF_MAP_UPDATE_ELEM');
    const tids = new Set(ev.map((e) => e.tid));
    assert.deepEqual([...tids].sort(), [6341, 6344, 6345, 6346]);
    const starts = ev.map((e) => e.startNs).sort((x, y) => (x < y ? -1 : 1));
    let maxGap = 0;
    for (let i = 1; i < starts.length; i++) maxGap = Math.max(maxGap, Number(starts[i]! - starts[i - 1]!));
    const gap = find(b, 'syscall:bpf:BPF_MAP_UPDATE_ELEM', 'gap')!;
    assert.equal(gap.scope, 'process');
    assert.equal(gap.count, 19999);
    assert.equal(gap.maxNs, maxGap);
    const rq = find(b, 'runqueue', 'runqueue')!;
    assert.ok(rq.count > 0);
    assert.equal(rq.count, 127);
    assert.deepEqual(b.unmatched(), {});
  });
});
