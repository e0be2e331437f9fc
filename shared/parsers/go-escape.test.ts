// The go-escape parser over real compiler output: every file of test/fixtures/go-escape against its
// golden `<case>.expected.json` (UPDATE_GOLDEN=1 rewrites them; review the diff), re-read in chunks of
// 1, 7 and 4096 bytes; the mapstress sample's -m and -m=2; and -m, -m=2 and -json of one build agreeing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { EscapeDiagnostic } from '../model/escape.js';
import { fromBuffer } from './bytes.js';
import { DETECT_HEAD_BYTES, detectKind } from './detect.js';
import { parseGoEscape, type GoEscapeResult } from './go-escape.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/go-escape');
const SAMPLE = join(ROOT, 'test/fixtures/samples/mapstress-boxed');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const CASES = readdirSync(FIXTURES)
  .filter((f) => /\.(txt|json)$/.test(f) && !f.endsWith('.expected.json'))
  .sort();

async function parse(bytes: Uint8Array, chunk = 64 * 1024, file = 'test'): Promise<GoEscapeResult> {
  return parseGoEscape(fromBuffer(bytes, chunk), { file });
}

function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

const ESCAPING = new Set(['escapes-to-heap', 'moved-to-heap']);
const at = (d: EscapeDiagnostic) => `${d.file}:${d.line}:${d.column}`;
/** `./main.go`, `main.go` and `/tmp/escx/main.go` are one file here. */
const short = (file: string) => file.replace(/^\/tmp\/escx\//, '').replace(/^\.\//, '');
const find = (r: GoEscapeResult, pos: string, kind: string, subject?: string) =>
  r.diagnostics.filter((d) => at(d) === pos && d.kind === kind && (subject === undefined || d.subject === subject));
function one(r: GoEscapeResult, pos: string, kind: string, subject?: string): EscapeDiagnostic {
  const found = find(r, pos, kind, subject);
  assert.equal(found.length, 1, `one ${kind} ${subject ?? ''} at ${pos}, found ${found.length}`);
  return found[0]!;
}
/** `file:line:col kind subject` of the escaping diagnostics, sorted (a multiset). */
function escaping(r: GoEscapeResult, withReasons = false): string[] {
  return r.diagnostics
    .filter((d) => ESCAPING.has(d.kind))
    .map((d) => `${short(d.file)}:${d.line}:${d.column} ${d.kind} ${d.subject}${withReasons ? ` (${[...d.reasons].sort().join(', ')})` : ''}`)
    .sort();
}

describe('go-escape fixtures (golden)', () => {
  test('the fixture folder has its cases and their goldens', () => {
    assert.ok(CASES.length >= 14, CASES.join(' '));
    for (const name of CASES) assert.ok(UPDATE || existsSync(join(FIXTURES, golden(name))), `missing ${golden(name)} (UPDATE_GOLDEN=1 writes it)`);
  });

  for (const name of CASES) {
    test(name, async () => {
      const bytes = fixture(name);
      const whole = await parse(bytes, 64 * 1024, name);
      const path = join(FIXTURES, golden(name));
      const json = `${JSON.stringify(whole, null, 2)}\n`;
      if (UPDATE) writeFileSync(path, json);
      assert.deepStrictEqual(JSON.parse(json), JSON.parse(readFileSync(path, 'utf8')), `${name} differs from ${golden(name)} (UPDATE_GOLDEN=1 rewrites it)`);
      assert.deepEqual(whole.warnings, [], `${name}: real compiler output reads without a warning`);
      assert.equal(whole.format, name.endsWith('.json') ? 'json' : 'text');
      assert.ok(whole.diagnostics.length > 0);
      for (const chunk of [1, 7, 4096]) assert.deepStrictEqual(await parse(bytes, chunk, name), whole, `${name} in chunks of ${chunk} bytes`);
      // detect.ts says go-escape for what this parser reads.
      assert.equal(detectKind(bytes.subarray(0, DETECT_HEAD_BYTES), { name, eof: bytes.length <= DETECT_HEAD_BYTES }), 'go-escape', `${name} is detected as go-escape`);
    });
  }
});

function golden(name: string): string {
  return name.replace(/\.(txt|json)$/, '.expected.json');
}

describe('mapstress sample (Go 1.19, -m and -m=2)', () => {
  test('escape.txt: the map literal, the Put arguments, leaks, inlining', async () => {
    const r = await parse(readFileSync(join(SAMPLE, 'escape.txt')));
    assert.equal(r.format, 'text');
    assert.deepEqual(r.packages, ['mapstress']);
    assert.deepEqual(r.warnings, []);
    const map = one(r, './main.go:23:31', 'escapes-to-heap');
    assert.equal(map.subject, 'map[string]interface {}{...}');
    assert.equal(map.message, 'map[string]interface {}{...} escapes to heap');
    assert.equal(map.package, 'mapstress');
    assert.equal(map.inputLine, 20);
    for (const subject of ['key', 'val']) assert.deepEqual(one(r, './main.go:70:18', 'escapes-to-heap', subject).flow, []);
    one(r, './main.go:23:62', 'escapes-to-heap', '~R0');
    one(r, './main.go:22:24', 'leaking-param', 'comm');
    one(r, './main.go:26:18', 'leaking-param', 'm');
    one(r, './main.go:38:24', 'does-not-escape', '&ebpf.MapSpec{...}');
    one(r, './main.go:40:15', 'does-not-escape', '... argument');
    one(r, './main.go:70:18', 'inlining-call', 'ebpf.(*Map).Put');
    one(r, './main.go:23:83', 'inlining-call', 'time.(*Time).unixSec');
    one(r, './main.go:26:6', 'can-inline', 'encodeBoxed');
    assert.equal(r.diagnostics.length, 34);
  });

  test('escape-m2.txt: flows and reasons attached, summaries folded into their headlines', async () => {
    const r = await parse(readFileSync(join(SAMPLE, 'escape-m2.txt')));
    assert.deepEqual(r.warnings, []);
    const key = one(r, './main.go:70:18', 'escapes-to-heap', 'key');
    assert.deepEqual(key.flow, [
      'flow: ebpf.key = &{storage for key}:',
      'from key (spill) at ./main.go:70:18',
      'from ebpf.m, ebpf.key, ebpf.value := m, key, val (assign-pair) at ./main.go:70:18',
      'flow: {heap} = ebpf.key:',
      'from (*ebpf.Map).Update(ebpf.m, ebpf.key, ebpf.value, ebpf.MapUpdateFlags(0)) (call parameter) at ./main.go:70:18',
    ]);
    assert.deepEqual(key.reasons, ['spill', 'assign-pair', 'call parameter']);
    assert.deepEqual(key.notes?.[0], { where: 'key', reason: 'spill', at: { file: './main.go', line: 70, column: 18 } });
    assert.equal(key.message, 'key escapes to heap');
    assert.equal(key.explanation, undefined);
    assert.deepEqual(one(r, './main.go:70:18', 'escapes-to-heap', 'val').reasons, ['spill', 'assign-pair', 'call parameter']);
    // The conversion of the Put arguments to interface{} is told in the flow of what `val` holds:
    //   ./main.go:50:13:     from val (interface-converted) at ./main.go:70:18
    const buf = one(r, './main.go:50:13', 'escapes-to-heap', 'make([]byte, 64)');
    assert.deepEqual(buf.reasons, ['spill', 'assign', 'interface-converted']);
    assert.deepEqual(buf.notes?.at(-1), { where: 'val', reason: 'interface-converted', at: { file: './main.go', line: 70, column: 18 } });
    assert.deepEqual(one(r, './main.go:23:37', 'escapes-to-heap', 'pid').reasons, ['spill', 'map literal value']);
    assert.deepEqual(one(r, './main.go:23:31', 'escapes-to-heap').reasons, ['spill', 'return']);
    const comm = one(r, './main.go:22:24', 'leaking-param', 'comm');
    assert.equal(comm.message, 'leaking param: comm');
    assert.equal(comm.explanation, 'parameter comm leaks to {storage for comm} with derefs=0');
    assert.equal(comm.leaksTo, '{storage for comm}');
    assert.equal(comm.derefs, 0);
    assert.deepEqual(comm.reasons, ['interface-converted']);
    assert.deepEqual(one(r, './main.go:26:18', 'leaking-param', 'm').reasons, ['interface-converted', 'call parameter']);
    const worst = one(r, './main.go:84:14', 'escapes-to-heap', 'worst');
    assert.equal(worst.flow.length, 8);
    assert.deepEqual(worst.reasons, ['spill', 'slice-literal-element', 'assign-pair', 'call parameter']);
    const boxed = one(r, './main.go:22:6', 'cannot-inline', 'boxed');
    assert.equal(boxed.detail, 'function too complex: cost 122 exceeds budget 80');
    assert.equal(boxed.cost, 122);
    assert.equal(one(r, './main.go:26:6', 'can-inline', 'encodeBoxed').cost, 68);
    assert.equal(one(r, './main.go:31:6', 'cannot-inline', 'main').detail, 'unhandled op DEFER');
    const capture = one(r, './main.go:43:15', 'other');
    assert.equal(capture.function, 'main');
    assert.equal(capture.subject, '.autotmp_64');
  });

  test('escape.txt and escape-m2.txt agree on what escapes, and on every -m diagnostic', async () => {
    const m = await parse(readFileSync(join(SAMPLE, 'escape.txt')));
    const m2 = await parse(readFileSync(join(SAMPLE, 'escape-m2.txt')));
    assert.deepEqual(escaping(m2), escaping(m));
    assert.equal(escaping(m).length, 11);
    const key = (d: EscapeDiagnostic) => `${at(d)} ${d.kind} ${d.subject}`;
    const fromM2 = m2.diagnostics.filter((d) => d.kind !== 'cannot-inline' && d.kind !== 'other').map(key);
    assert.deepEqual(fromM2.sort(), m.diagnostics.map(key).sort());
  });
});

describe('-m, -m=2 and -json of one build', () => {
  const json = () => Buffer.concat(['json-main.json', 'json-autogenerated.json', 'json-sub-iface.json', 'json-sub-sub.json'].map(fixture));

  test('module-m.txt and module-m2.txt: the same diagnostics but -m=2 ones (cannot inline, capturing, wrapper leaks)', async () => {
    const m = await parse(fixture('module-m.txt'));
    const m2 = await parse(fixture('module-m2.txt'));
    const key = (d: EscapeDiagnostic) => `${at(d)} ${d.kind} ${d.subject} ${d.kind === 'can-inline' ? '' : d.message}`;
    const only2 = m2.diagnostics.filter((d) => !m.diagnostics.some((e) => key(e) === key(d)));
    assert.deepEqual(
      only2.map((d) => `${at(d)} ${d.kind} ${d.subject}`),
      [
        'sub/iface.go:19:6 cannot-inline Collect',
        'sub/iface.go:20:6 other out',
        './main.go:85:6 cannot-inline main',
        './main.go:106:8 cannot-inline main.func2',
        './main.go:46:2 other c',
        './main.go:92:14 other c',
        './main.go:96:2 other msg',
        '<autogenerated>:1:0 leaking-param .this',
      ],
    );
    assert.deepEqual(m.diagnostics.map(key).sort(), m2.diagnostics.filter((d) => !only2.includes(d)).map(key).sort());
  });

  test('-m=2 and -json: the same escapes and leaks, with the same reasons and the same flows', async () => {
    const m2 = await parse(fixture('module-m2.txt'));
    const j = await parse(json());
    assert.equal(j.format, 'json');
    assert.equal(j.goVersion, 'go1.19.8');
    assert.deepEqual(j.packages, ['main', 'example.com/escx/sub']);
    assert.deepEqual(escaping(j, true), escaping(m2, true));
    const leaks = (r: GoEscapeResult) =>
      r.diagnostics
        .filter((d) => d.kind.startsWith('leaking-param'))
        .map((d) => `${short(d.file)}:${d.line}:${d.column} ${d.kind} ${d.subject} ${d.flow.join(' / ').replaceAll('/tmp/escx/', '').replaceAll('./', '')}`)
        .sort();
    assert.deepEqual(leaks(j), leaks(m2));
    const p = find(j, '/tmp/escx/main.go:28:2', 'moved-to-heap', 'p')[0]!;
    assert.equal(p.message, 'moved to heap: p');
    assert.equal(p.explanation, 'p escapes to heap');
    assert.equal(p.code, 'escape');
    assert.deepEqual(p.flow, ['flow: ~r0 = &p:', 'from &p (address-of) at /tmp/escx/main.go:29:9', 'from return &p (return) at /tmp/escx/main.go:29:2']);
  });

  test('-json: inlining chains, `<autogenerated>`, inliner and bounds-check codes', async () => {
    const j = await parse(json());
    // An escape inside Point.String inlined into main at 104:59 (json-main.json):
    const px = one(j, '/tmp/escx/main.go:104:59', 'escapes-to-heap', 'p.X');
    assert.deepEqual(px.inlinedAt, [{ file: '/tmp/escx/main.go', line: 15, column: 65 }]);
    // `<autogenerated>:1` (json-autogenerated.json): uri file://%3Cautogenerated%3E, character 0.
    const auto = one(j, '<autogenerated>:1:0', 'leaking-param', '.this');
    assert.equal(auto.package, 'main');
    assert.deepEqual(auto.flow, ['flow: {heap} = .this:', 'from .this.Area() (call parameter) at <autogenerated>:1']);
    const cost = one(j, '/tmp/escx/main.go:13:6', 'can-inline');
    assert.equal(cost.cost, 8);
    assert.equal(cost.message, 'canInlineFunction: cost: 8');
    const collect = one(j, '/tmp/escx/sub/iface.go:19:6', 'cannot-inline');
    assert.deepEqual([collect.detail, collect.cost], ['function too complex: cost 96 exceeds budget 80', 96]);
    const bounds = one(j, '/tmp/escx/main.go:96:23', 'other');
    assert.deepEqual([bounds.code, bounds.message], ['isInBounds', 'isInBounds']);
  });

  test('the -json files read one by one give what they give concatenated', async () => {
    const each: EscapeDiagnostic[] = [];
    for (const name of ['json-main.json', 'json-autogenerated.json', 'json-sub-iface.json', 'json-sub-sub.json']) each.push(...(await parse(fixture(name))).diagnostics);
    const all = await parse(json());
    const strip = (d: EscapeDiagnostic) => ({ ...d, inputLine: 0 });
    assert.deepStrictEqual(all.diagnostics.map(strip), each.map(strip));
  });

  test('stdlib excerpts: one allocation explained twice, several leak paths, a go wrapper, text and -json alike', async () => {
    const t = await parse(fixture('stdlib-explained-twice-m2.txt'));
    const make = one(t, '/usr/lib/go-1.19/src/runtime/profbuf.go:229:15', 'escapes-to-heap');
    assert.deepEqual(make.reasons, ['spill', 'assign', 'non-constant size']);
    assert.equal(make.flow.length, 5);
    const gp = one(t, '/usr/lib/go-1.19/src/runtime/proc.go:2517:14', 'leaking-param', 'gp');
    assert.equal(gp.message, 'leaking param: gp');
    assert.equal(gp.explanation, 'parameter gp leaks to {heap} with derefs=0');
    const ptr = one(t, '/usr/lib/go-1.19/src/runtime/internal/atomic/stubs.go:15:12', 'leaking-param', 'ptr');
    assert.deepEqual(ptr.reasons, ['call parameter']);
    one(t, '/usr/lib/go-1.19/src/runtime/mgc.go:178:2', 'escapes-to-heap', 'func literal');
    const i = one(t, '/usr/lib/go-1.19/src/sync/map.go:103:15', 'moved-to-heap', 'i');
    assert.equal(i.explanation, 'i escapes to heap');
    assert.equal(t.diagnostics.length, 5);

    const j = await parse(fixture('json-stdlib-explained-twice.json'));
    assert.deepEqual(
      j.diagnostics.map((d) => `${at(d)} ${d.kind} ${d.subject} (${d.reasons.join(', ')})`),
      [
        '/usr/lib/go-1.19/src/runtime/metrics.go:118:34 escapes-to-heap make([]uint64, len(buckets) - 1) (spill, assign, non-constant size)',
        '/usr/lib/go-1.19/src/runtime/metrics.go:118:34 escapes-to-heap new(metricFloat64Histogram) (spill, assign)',
        '/usr/lib/go-1.19/src/sync/map.go:103:15 moved-to-heap i (address-of, struct literal element)',
        '/usr/lib/go-1.19/src/runtime/mgc.go:178:2 escapes-to-heap func literal (spill)',
      ],
    );
  });
});
