// The join on hand-built inputs shaped like the mapstress recording, one rule per test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EscapeDiagnostic } from '../../model/escape.js';
import type { Profile, ProfileFrame, ProfileFunction, ProfileLocation } from '../../model/profile.js';
import { markBoxing } from './boxing.js';
import { escapeFindings } from './findings.js';
import { joinEscapeSites, type CpuStacks } from './sites.js';

let nextId = 1;
function fn(name: string, filename: string): ProfileFunction {
  return { id: nextId++, name, systemName: name, filename, startLine: 0 };
}
/** A location: lines innermost first, as profile.proto orders them. */
function loc(...lines: Array<[ProfileFunction, number]>): ProfileLocation {
  return { id: nextId++, address: 0n, isFolded: false, lines: lines.map(([f, line]) => ({ function: f, line, column: 0 })) };
}
function heap(samples: Array<{ stack: ProfileLocation[]; objects: number; bytes: number }>): Profile {
  return {
    sampleTypes: [
      { type: 'alloc_objects', unit: 'count' },
      { type: 'alloc_space', unit: 'bytes' },
    ],
    samples: samples.map((s) => ({ locations: s.stack, values: [s.objects, s.bytes], labels: [] })),
    mappings: [],
    locations: [],
    functions: [],
    dropFrames: '',
    keepFrames: '',
    timeNanos: 0,
    durationNanos: 0,
    period: 524288,
    comments: [],
    defaultSampleType: -1,
    docUrl: '',
  };
}
function frames(p: Profile, i: number): ProfileFrame[] {
  return p.samples[i]!.locations.flatMap((l) =>
    l.lines.map((ln, j) => ({
      function: ln.function.name,
      file: ln.function.filename,
      line: ln.line,
      column: ln.column,
      inlined: j < l.lines.length - 1,
    })),
  );
}
function diag(file: string, line: number, column: number, kind: EscapeDiagnostic['kind'], subject: string, message: string, extra: Partial<EscapeDiagnostic> = {}): EscapeDiagnostic {
  return { file, line, column, kind, subject, message, flow: [], reasons: [], inputLine: 1, ...extra };
}

const MAIN = '/go/src/mapstress/main.go';
const boxedFn = fn('main.boxed', MAIN);
const mainFn = fn('main.main', MAIN);
const runtimeMain = fn('runtime.main', '/usr/lib/go/src/runtime/proc.go');
const put = fn('github.com/cilium/ebpf.(*Map).Put', '/usr/share/gocode/src/github.com/cilium/ebpf/map.go');
const update = fn('github.com/cilium/ebpf.(*Map).Update', '/usr/share/gocode/src/github.com/cilium/ebpf/map.go');
const marshalBytes = fn('github.com/cilium/ebpf.marshalBytes', '/usr/share/gocode/src/github.com/cilium/ebpf/marshalers.go');
const jsonMarshal = fn('encoding/json.Marshal', '/usr/lib/go/src/encoding/json/encode.go');
const encodeBoxed = fn('main.encodeBoxed', MAIN);

const profile = heap([
  // main.boxed allocates the map at line 23; boxed is called from main.go:54.
  { stack: [loc([boxedFn, 23]), loc([mainFn, 54]), loc([runtimeMain, 250])], objects: 23672, bytes: 6817616 },
  // Boxing key/val at main.go:70, where (*Map).Put is inlined into main.main.
  { stack: [loc([mainFn, 70]), loc([runtimeMain, 250])], objects: 21845, bytes: 524300 },
  // cilium/ebpf marshalling under Put (inlined at main.go:70).
  { stack: [loc([marshalBytes, 60]), loc([update, 678]), loc([put, 673], [mainFn, 70]), loc([runtimeMain, 250])], objects: 21846, bytes: 1048624 },
  // encoding/json under encodeBoxed inlined at main.go:55: no escape diagnostic at 55 or 27.
  { stack: [loc([jsonMarshal, 164]), loc([encodeBoxed, 27], [mainFn, 55]), loc([runtimeMain, 250])], objects: 16385, bytes: 1048640 },
]);

const diagnostics = [
  diag('./main.go', 23, 31, 'escapes-to-heap', 'map[string]interface {}{...}', 'map[string]interface {}{...} escapes to heap'),
  diag('./main.go', 23, 37, 'escapes-to-heap', 'pid', 'pid escapes to heap', { reasons: ['spill', 'map literal value'] }),
  diag('./main.go', 22, 24, 'leaking-param', 'comm', 'leaking param: comm', {
    flow: ['from comm (interface-converted) at ./main.go:23:50'],
    reasons: ['interface-converted'],
  }),
  diag('./main.go', 70, 18, 'escapes-to-heap', 'key', 'key escapes to heap'),
  diag('./main.go', 70, 18, 'escapes-to-heap', 'val', 'val escapes to heap'),
  diag('./main.go', 70, 18, 'inlining-call', 'ebpf.(*Map).Put', 'inlining call to ebpf.(*Map).Put'),
  diag('./main.go', 50, 13, 'escapes-to-heap', 'make([]byte, 64)', 'make([]byte, 64) escapes to heap'),
  diag('./main.go', 38, 24, 'does-not-escape', '&ebpf.MapSpec{...}', '&ebpf.MapSpec{...} does not escape'),
];

describe('joinEscapeSites', () => {
  const sites = joinEscapeSites({ diagnostics, heapProfiles: [profile], frames });
  const at = (line: number) => sites.find((s) => s.line === line)!;
  const total = 6817616 + 524300 + 1048624 + 1048640;

  it('groups diagnostics by line, ranks by allocated bytes and skips what does not escape', () => {
    assert.deepEqual(sites.map((s) => `${s.file}:${s.line}`), ['main.go:23', 'main.go:70', 'main.go:50']);
    assert.equal(at(23).expression, 'map[string]interface {}{...}, pid');
    assert.equal(at(23).column, 31);
    assert.equal(at(23).function, 'main.boxed');
  });

  it('charges leaf bytes to the line, and bytes of callees reached from a line separately', () => {
    assert.equal(at(23).allocBytes, 6817616);
    assert.equal(at(23).allocObjects, 23672);
    assert.equal(at(23).allocShare, 6817616 / total);
    // The marshalling under the inlined Put is a callee of line 70, not its own allocation.
    assert.equal(at(70).allocBytes, 524300);
    assert.equal(at(70).calleeAllocBytes, 1048624);
    assert.equal(at(50).allocBytes, 0);
  });

  it('finds boxing from interface literals, -m=2 interface-converted flows and interface{} parameters', () => {
    const calls = [{ file: MAIN, line: 70, callee: put.name }];
    markBoxing(sites, diagnostics, calls);
    assert.equal(at(23).boxing, true);
    assert.ok(at(23).boxingEvidence.some((e) => e.includes('boxes every element')));
    assert.equal(at(70).boxing, true);
    assert.ok(at(70).boxingEvidence.some((e) => e.includes('(*Map).Put')));
    assert.equal(at(50).boxing, false);
  });

  it('charges allocator CPU to the first non-runtime frame: by line from pprof, by function from perf', () => {
    const cpu: CpuStacks = {
      source: 'pprof',
      total: 100,
      stacks: [
        { frames: [{ function: 'runtime.mallocgc' }, { function: 'runtime.makemap_small' }, { function: 'main.boxed', file: MAIN, line: 23 }], weight: 10 },
        { frames: [{ function: 'runtime.mallocgc' }, { function: 'runtime.convT32' }, { function: 'main.main', file: MAIN, line: 70 }], weight: 4 },
        { frames: [{ function: 'main.main', file: MAIN, line: 70 }], weight: 50 },
      ],
    };
    const withCpu = joinEscapeSites({ diagnostics, heapProfiles: [profile], frames, cpu });
    const s23 = withCpu.find((s) => s.line === 23)!;
    const s70 = withCpu.find((s) => s.line === 70)!;
    assert.equal(s23.cpuShare, 0.1);
    assert.equal(s23.cpuSource, 'pprof');
    assert.equal(s70.cpuShare, 0.04);
    assert.ok(s70.boxingEvidence.some((e) => e.startsWith('runtime.convT32')));

    const perf: CpuStacks = {
      source: 'perf',
      total: 200,
      stacks: [{ frames: [{ function: 'runtime.mallocgc' }, { function: 'runtime.newobject' }, { function: 'main.boxed' }], weight: 20 }],
    };
    const byFunction = joinEscapeSites({ diagnostics, heapProfiles: [profile], frames, cpu: perf });
    assert.equal(byFunction.find((s) => s.line === 23)!.cpuShare, 0.1);
  });

  it('makes ESC001 and ESC002 findings with stable ids', () => {
    markBoxing(sites, diagnostics, [{ file: MAIN, line: 70, callee: put.name }]);
    const findings = escapeFindings(sites, { bytes: total, objects: 23672 + 21845 + 21846 + 16385 }, undefined);
    const rules = findings.map((f) => `${f.rule} ${f.location?.file}:${f.location?.line}`);
    assert.deepEqual(rules, ['ESC001 main.go:23', 'ESC002 main.go:23', 'ESC001 main.go:70', 'ESC002 main.go:70']);
    const again = escapeFindings(joinEscapeSites({ diagnostics, heapProfiles: [profile], frames }), { bytes: 1, objects: 1 }, undefined);
    assert.equal(again.find((f) => f.rule === 'ESC001' && f.location?.line === 23)?.id, findings[0]!.id);
    assert.match(findings[0]!.recommendation, /struct of concrete fields/);
  });
});
