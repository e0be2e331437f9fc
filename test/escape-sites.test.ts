// Escape sites that cost, end to end on the real mapstress recordings (boxed and struct).
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { analyze } from '../shared/analyses/analyze.js';
import { fromBuffer } from '../shared/parsers/bytes.js';
import { BOXED_ARCHIVE, ROOT, STRUCT_ARCHIVE } from './helpers/samples.js';

const run = (path: string) => analyze([{ name: path.split('/').pop()!, body: createReadStream(path) }]);

describe('escape sites on the mapstress recordings', () => {
  it('boxed: the map literal (main.go:23) leads by bytes, the Put arguments (main.go:70) are listed, both boxing', async () => {
    const { result, error } = await run(BOXED_ARCHIVE);
    assert.equal(error, undefined);
    const top = result.escapeSites.slice(0, 3).map((s) => `${s.file}:${s.line}`);
    assert.ok(top.includes('main.go:23'), `top sites ${top}`);
    const s23 = result.escapeSites.find((s) => s.file === 'main.go' && s.line === 23)!;
    const s70 = result.escapeSites.find((s) => s.file === 'main.go' && s.line === 70)!;
    assert.equal(s23.boxing, true);
    assert.equal(s70.boxing, true);
    assert.equal(s23.function, 'main.boxed');
    assert.ok(s23.allocBytes > 8_000_000 && s23.allocShare > 0.3, `${s23.allocBytes} ${s23.allocShare}`);
    assert.match(s23.expression, /^map\[string\]interface \{\}\{\.\.\.\}, pid, comm/);
    assert.ok(s70.expression.includes('key') && s70.expression.includes('val'));
    assert.ok(s70.calleeAllocBytes > 0, 'cilium/ebpf marshalling is reached from line 70');
    assert.ok(s23.cpuShare > 0 && s23.cpuSource === 'pprof');
    const rules = new Set(result.findings.map((f) => f.rule));
    for (const rule of ['ESC001', 'ESC002', 'BPF002']) assert.ok(rules.has(rule), `${rule} in ${[...rules]}`);
    const bpf = result.findings.find((f) => f.rule === 'BPF002')!;
    assert.equal(bpf.location?.line, 70);
    assert.deepEqual(result.ebpf?.libraries, ['cilium/ebpf']);
    // Stable ids: the same run twice gives the same ids.
    const again = await run(BOXED_ARCHIVE);
    assert.deepEqual(again.result.findings.map((f) => f.id), result.findings.map((f) => f.id));
  });

  it('struct: main.go:23 allocates nothing', async () => {
    const { result } = await run(STRUCT_ARCHIVE);
    const s23 = result.escapeSites.find((s) => s.file === 'main.go' && s.line === 23);
    assert.equal(s23?.allocBytes, 0);
    assert.equal(result.findings.some((f) => f.rule === 'ESC001' && f.location?.line === 23), false);
  });

  it('a malformed profile is reported with its byte offset and the other inputs are still analysed', async () => {
    const dir = `${ROOT}test/fixtures/samples/mapstress-boxed/`;
    const heap = gunzipSync(readFileSync(`${dir}heap.pb.gz`));
    const { result, error } = await analyze([
      { name: 'heap.pb', body: fromBuffer(heap.subarray(0, heap.length - 37)) },
      { name: 'escape.txt', body: fromBuffer(readFileSync(`${dir}escape.txt`)) },
    ]);
    assert.equal(error, undefined);
    const bad = result.inputs.find((i) => i.name === 'heap.pb')!;
    assert.equal(bad.kind, 'pprof');
    assert.match(bad.error ?? '', /heap\.pb \(byte \d+\)/);
    assert.deepEqual(result.dataQuality.map((d) => d.rule).includes('DQ001'), true);
    const esc = result.inputs.find((i) => i.name === 'escape.txt')!;
    assert.equal(esc.kind, 'go-escape');
    assert.equal(esc.error, undefined);
    assert.ok(result.escapeSites.some((s) => s.line === 23), 'escape sites still come from the compiler output');
  });
});
