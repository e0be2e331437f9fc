import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PerfSample, PerfTaskEvent, Tracepoint } from '../../model/perf.js';
import { parseTracepoint } from '../../parsers/perf-script/tracepoints.js';
import { PerfScriptParser } from '../../parsers/perf-script/index.js';
import { FreshMappingFaults, faultAddress, regionKind } from './page-faults.js';

const fixture = (p: string): string => fileURLToPath(new URL('../../../test/fixtures/perf-script/' + p, import.meta.url));
function feed(a: FreshMappingFaults, p: string): void {
  const file = fixture(p);
  const parser = new PerfScriptParser(a, { file });
  parser.push(readFileSync(file));
  parser.end();
}
function mmap(timeNs: bigint, start: bigint, length: bigint, file: string, pid = 7): PerfTaskEvent {
  return { kind: 'task', line: 1, record: 'MMAP2', comm: 'p', pid, tid: pid, timeNs, detail: '', target: { pid, tid: pid }, mmap: { start, length, pgoff: 0n, file } };
}
function fault(timeNs: bigint, addr: bigint, pid = 7): PerfSample {
  return { kind: 'sample', line: 1, comm: 'p', pid, tid: pid, timeNs, event: 'exceptions:page_fault_user', payload: '', frames: [], tracepoint: { type: 'page_fault', addr } };
}
function swFault(timeNs: bigint, payload: string, event = 'page-faults', pid = 7, tracepoint?: Tracepoint): PerfSample {
  return { kind: 'sample', line: 1, comm: 'p', pid, tid: pid, timeNs, period: 1, event, payload, frames: [], ...(tracepoint ? { tracepoint } : {}) };
}

test('real recordings: fault samples with addresses and MMAP2 regions are read', () => {
  // No recording in the repo carries both; each side is checked on its own.
  const counts: Record<string, number> = {};
  for (const [p, faults] of [
    ['sample-formats/page-faults-addr-header-line.txt', 40], ['sample-formats/page-faults-addr-callchain.txt', 13],
    ['tracepoints/exceptions-page-fault.txt', 7], ['tracepoints/page-faults-addr-callchain.txt', 3],
  ] as const) {
    const a = new FreshMappingFaults();
    feed(a, p);
    const r = a.result();
    counts[p] = r.faults;
    assert.equal(r.faults, faults, p);
    assert.equal(r.inFresh, 0);
    assert.equal(r.noAddress, 0);
  }
  const a = new FreshMappingFaults();
  feed(a, 'task-events/task-mmap.txt');
  // 24 user MMAP2 records (the kernel's pid -1 map is skipped), [heap] remapped at the same start;
  // the exec of "my prog" drops python3's 16 regions.
  const r = a.result();
  assert.equal(r.regionsDropped, 0);
  assert.equal(r.regionsHeld, 9);
  // Hand-built faults at real addresses of that recording: "my prog"'s data (6 s later: not fresh) and its [vdso].
  const pid = 23263;
  a.sample(fault(4859_559_800_000n, 0x5564a132e010n, pid)); // the rw-p part of my prog left after the r--p remap
  a.sample(fault(4853_560_000_000n, 0x7fc85e321000n, pid)); // [vdso], 784 µs after its mapping
  const r2 = a.result();
  assert.equal(r2.faults, 2);
  assert.equal(r2.inRegion, 2);
  assert.equal(r2.inFresh, 1);
  assert.deepEqual(r2.regions.map((x) => [x.file, x.kind, x.start, x.firstFaultAfterNs]), [['[vdso]', 'anon', '0x7fc85e321000', 784_000]]);
});

test('fresh within the window (inclusive), not before the mapping, not outside any region', () => {
  const a = new FreshMappingFaults();
  a.sample(fault(50n, 0x1000n)); // before any mapping
  a.task(mmap(100n, 0x1000n, 0x2000n, 'anon_inode:bpf-map'));
  a.task(mmap(200n, 0x10000n, 0x1000n, '/memfd:ringbuf (deleted)'));
  a.sample(fault(100n, 0x1000n)); // delay 0
  a.sample(fault(100n + 1_000_000_000n, 0x2fffn)); // exactly at the window
  a.sample(fault(101n + 1_000_000_000n, 0x1800n)); // just past it
  a.sample(fault(300n, 0x3000n)); // end is exclusive: outside
  a.sample(fault(300n, 0x10010n, 8)); // another process
  a.sample(fault(150n, 0x10010n)); // region mapped later than the fault
  const r = a.result();
  assert.equal(r.faults, 7);
  assert.equal(r.inRegion, 3);
  assert.equal(r.inFresh, 2);
  assert.deepEqual(r.regions, [{ file: 'anon_inode:bpf-map', kind: 'bpf', start: '0x1000', length: 0x2000, pid: 7, mappedAtNs: 100, faults: 2, firstFaultAfterNs: 0 }]);
  assert.equal(a.result(2e9).inFresh, 3);
  assert.equal(a.result(0).inFresh, 1);
});

test('a new mapping replaces what it overlaps; region cap counts drops', () => {
  const a = new FreshMappingFaults({ maxRegions: 3 });
  a.task(mmap(0n, 0x1000n, 0x3000n, '/lib/a.so'));
  a.task(mmap(10n, 0x2000n, 0x1000n, '//anon')); // splits a.so in two
  const r = a.result();
  assert.equal(r.regionsHeld, 3);
  a.sample(fault(20n, 0x1010n));
  a.sample(fault(20n, 0x2010n));
  a.sample(fault(20n, 0x3010n));
  assert.deepEqual(a.result().regions.map((x) => [x.file, x.kind, x.start, x.length, x.faults]), [
    ['/lib/a.so', 'file', '0x1000', 0x1000, 1], ['/lib/a.so', 'file', '0x3000', 0x1000, 1], ['//anon', 'anon', '0x2000', 0x1000, 1],
  ]);
  a.task(mmap(30n, 0x9000n, 0x1000n, '[anon:x]'));
  assert.equal(a.result().regionsDropped, 1);
  assert.equal(a.result().regionsHeld, 3);
});

test('software page-fault events take the address the parser found in the payload; kinds', () => {
  // perf script -F ...,addr,ip,sym,dso: the data address, then the ip (a line of the header-line fixture).
  const header = (event: string, payload: string) => swFault(1n, payload, event, 7, parseTracepoint(event, payload));
  const both = '55d642e5c088 __TMC_END__ (/tmp/x/work) ffffffff8177539a elf_load ([kernel.kallsyms])';
  assert.equal(faultAddress(header('page-faults', both)), 0x55d642e5c088n);
  assert.equal(faultAddress(header('major-faults:u', both)), 0x55d642e5c088n);
  // One address and no call graph apart from it: the ip, not a data address.
  assert.equal(faultAddress(header('page-faults', '7f0 x (/x)')), undefined);
  assert.equal(faultAddress(header('task-clock', both)), undefined);
  const a = new FreshMappingFaults();
  a.sample(header('page-faults', ''));
  a.sample(header('minor-faults', '7f0 x (/x)'));
  a.sample(header('task-clock', both));
  assert.equal(a.result().noAddress, 2);
  assert.equal(a.result().faults, 0);
  assert.equal(regionKind('anon_inode:bpf-prog'), 'bpf');
  assert.equal(regionKind('[anon:go]'), 'anon');
  assert.equal(regionKind('/memfd:x'), 'anon');
  assert.equal(regionKind('/usr/lib/libc.so.6'), 'file');
});
