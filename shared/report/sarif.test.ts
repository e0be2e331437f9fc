// SARIF on the real mapstress recordings and on reports in every state, validated against the OASIS SARIF
// 2.1.0 schema (test/fixtures/sarif/, JSON Schema 2020-12, hence Ajv2020).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { emptyResult, type Finding, type Report } from '../model/report.js';
import { BOXED_ARCHIVE, ROOT, STRUCT_ARCHIVE } from '../../test/helpers/samples.js';
import { analysedSample, reportOf } from '../../test/helpers/reports.js';
import { artifactLocation, FINGERPRINT_KEY, renderSarif, type SarifLog } from './sarif.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * The schema as published, with its two known defects corrected in memory (see test/fixtures/sarif/README.md):
 * the `(?i)` inline flag in the `language` patterns (not ECMAScript), and `region`'s `anyOf` misplaced inside
 * `properties` (which makes the schema invalid; moved where SARIF §3.30.2 puts it — stricter, not looser).
 */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(`${ROOT}test/fixtures/sarif/sarif-schema-2.1.0.json`, 'utf8'));
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  for (const def of ['run', 'toolComponent']) {
    assert.equal(schema.definitions[def].properties.language.pattern, '^(?i)[a-zA]{2}(-[a-z]{2})?$');
    schema.definitions[def].properties.language.pattern = '^[a-zA-Z]{2}(-[a-zA-Z]{2})?$';
  }
  const region = schema.definitions.region;
  assert.ok(Array.isArray(region.properties.anyOf) && region.anyOf === undefined);
  region.anyOf = region.properties.anyOf;
  delete region.properties.anyOf;
  // strictRequired flags `required` inside anyOf branches (schema style, not validation): off.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  return ajv.compile(schema);
}
const validate = sarifValidator();

function assertValid(log: SarifLog): void {
  // Validate what a client receives: the JSON text, parsed back.
  const ok = validate(JSON.parse(JSON.stringify(log)));
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
}


const REPORT_URL = 'https://tracelens.example.com/v1/analyses/01JABCDEFGHJKMNPQRSTVWXYZ0';

describe('the schema', () => {
  it('rejects what SARIF forbids (the validator is not vacuous)', () => {
    const good = renderSarif(reportOf(emptyResult()));
    assertValid(good);
    const bad = (mutate: (l: any) => void) => {
      const l = JSON.parse(JSON.stringify(good));
      mutate(l);
      return validate(l);
    };
    assert.equal(bad((l) => (l.version = '2.0.0')), false);
    assert.equal(bad((l) => delete l.runs[0].tool.driver.name), false);
    assert.equal(bad((l) => l.runs[0].results.push({ ruleId: 'X', level: 'warning' })), false, 'a result needs a message');
    assert.equal(bad((l) => l.runs[0].results.push({ message: { text: 'x' }, level: 'info' })), false, 'info is not a SARIF level');
    assert.equal(bad((l) => l.runs[0].results.push({ message: { text: 'x' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a.go' }, region: { startColumn: 2 } } }] })), false, 'a region needs a start');
    assert.equal(bad((l) => l.runs[0].results.push({ message: { text: 'x' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'a b.go' } } }] })), false, 'uri-reference');
  });
});

describe('renderSarif on the mapstress recordings', () => {
  let boxed: Report;
  let struct: Report;
  before(async () => {
    boxed = reportOf(await analysedSample(BOXED_ARCHIVE));
    struct = reportOf(await analysedSample(STRUCT_ARCHIVE));
  });

  it('boxed: valid SARIF 2.1.0, one result per finding, one rule per rule id, stable fingerprints, locations', () => {
    const log = renderSarif(boxed, { reportUrl: REPORT_URL });
    assertValid(log);
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'TraceLens');
    const ruleIds = run.tool.driver.rules.map((r) => r.id);
    assert.deepEqual(ruleIds, [...new Set(boxed.findings.map((f) => f.rule))]);
    assert.deepEqual(ruleIds, ['ESC001', 'ESC002', 'BPF002', 'GC001', 'BPF001', 'SCHED001']);
    for (const r of run.tool.driver.rules) {
      assert.ok(r.shortDescription.text && r.fullDescription.text && r.help.text);
      assert.equal(r.help.text, boxed.findings.find((f) => f.rule === r.id)!.recommendation);
    }
    assert.equal(run.tool.driver.rules.find((r) => r.id === 'BPF001')!.defaultConfiguration.level, 'note');
    assert.equal(run.results.length, boxed.findings.length);
    run.results.forEach((res, i) => {
      const f = boxed.findings[i]!;
      assert.equal(res.ruleId, f.rule);
      assert.equal(run.tool.driver.rules[res.ruleIndex]!.id, f.rule);
      assert.equal(res.level, { error: 'error', warning: 'warning', info: 'note' }[f.severity]);
      assert.deepEqual(res.partialFingerprints, { [FINGERPRINT_KEY]: f.id });
      assert.ok(res.message.text.startsWith(f.message));
      assert.deepEqual(res.properties.evidence, f.evidence);
      assert.equal(res.hostedViewerUri, REPORT_URL);
    });
    const esc001 = run.results.find((r) => r.ruleId === 'ESC001')!;
    assert.deepEqual(esc001.locations, [
      {
        physicalLocation: { artifactLocation: { uri: 'main.go', uriBaseId: 'SRCROOT' }, region: { startLine: 23, startColumn: 31 } },
        logicalLocations: [{ name: 'boxed', fullyQualifiedName: 'main.boxed', kind: 'function' }],
      },
    ]);
    const bpf002 = run.results.find((r) => r.ruleId === 'BPF002')!;
    assert.deepEqual(bpf002.locations![0]!.physicalLocation, { artifactLocation: { uri: 'file:///go/src/mapstress/main.go' }, region: { startLine: 70 } });
    const gc001 = run.results.find((r) => r.ruleId === 'GC001')!;
    assert.equal(gc001.locations, undefined, 'a series-level finding has no location');
    assert.equal(gc001.properties.evidence && (gc001.properties.evidence as { series: string }).series, 'syscall:bpf:BPF_MAP_UPDATE_ELEM');
    assert.deepEqual(run.invocations, [{ executionSuccessful: true, startTimeUtc: boxed.startedAt, endTimeUtc: boxed.completedAt }]);
    assert.equal(run.properties.reportUrl, REPORT_URL);
    // Same input, same fingerprints.
    assert.deepEqual(renderSarif(boxed).runs[0].results.map((r) => r.partialFingerprints), run.results.map((r) => r.partialFingerprints));
  });

  it('struct: valid, and no ESC001 at main.go:23', () => {
    const log = renderSarif(struct, {});
    assertValid(log);
    const run = log.runs[0];
    assert.ok(!run.results.some((r) => r.ruleId === 'ESC001' && r.locations?.[0]?.physicalLocation?.region?.startLine === 23));
    assert.equal(run.results[0]!.hostedViewerUri, undefined);
  });
});

describe('renderSarif in every state', () => {
  it('failed: valid, no results, the error as a tool execution notification', () => {
    const log = renderSarif(reportOf(emptyResult(), { status: 'failed', error: 'archive is not gzip <tar> & not zip', completedAt: undefined }), { reportUrl: REPORT_URL });
    assertValid(log);
    const run = log.runs[0];
    assert.deepEqual(run.results, []);
    assert.deepEqual(run.tool.driver.rules, []);
    assert.deepEqual(run.invocations, [
      { executionSuccessful: false, startTimeUtc: '2025-01-02T03:04:06.000Z', toolExecutionNotifications: [{ level: 'error', message: { text: 'archive is not gzip <tar> & not zip' } }] },
    ]);
    assert.equal(run.properties.status, 'failed');
  });

  it('pending, running and empty complete reports are valid', () => {
    for (const status of ['pending', 'running', 'complete'] as const) {
      const log = renderSarif(reportOf(emptyResult(), { status, repo: undefined, branch: undefined, commit: undefined }));
      assertValid(log);
      assert.deepEqual(log.runs[0].results, []);
      assert.equal(log.runs[0].invocations[0]!.executionSuccessful, status === 'complete');
    }
  });

  it('locations: function only → logical location; nothing → none; odd paths stay valid URI references', () => {
    const f = (over: Partial<Finding>): Finding => ({
      id: `X-${Math.random()}`, rule: 'GC003', severity: 'error', title: 't', message: 'm', evidence: { n: 1 }, recommendation: 'r', ...over,
    });
    const findings = [
      f({ location: { function: 'github.com/cilium/ebpf.(*Map).Put' } }),
      f({ location: {} }),
      f({ location: undefined, rule: 'DQ007', severity: 'info' }),
      f({ location: { file: 'pkg/my dir/ünï#code?.go', line: 5, column: 0 } }),
      f({ location: { file: './cmd/main.go', column: 7 } }),
      f({ location: { file: 'C:\\src\\app\\main.go', line: 1, column: 1 } }),
      f({ location: { file: '/root/go/pkg/mod/github.com/cilium/ebpf@v0.12.3/map.go', line: 1 } }),
      f({ rule: 'NEW999', title: 'a rule not in the catalog' }),
    ];
    const log = renderSarif(reportOf({ ...emptyResult(), findings, dataQuality: [{ rule: 'DQ002', severity: 'warning', message: 'clock not aligned' }] }));
    assertValid(log);
    const [fn, empty, none, odd, rel, win, mod] = log.runs[0].results;
    assert.deepEqual(fn!.locations, [{ logicalLocations: [{ name: '(*Map).Put', fullyQualifiedName: 'github.com/cilium/ebpf.(*Map).Put', kind: 'function' }] }]);
    assert.equal(empty!.locations, undefined);
    assert.equal(none!.locations, undefined);
    assert.deepEqual(odd!.locations![0]!.physicalLocation, {
      artifactLocation: { uri: 'pkg/my%20dir/%C3%BCn%C3%AF%23code%3F.go', uriBaseId: 'SRCROOT' },
      region: { startLine: 5 },
    });
    assert.deepEqual(rel!.locations![0]!.physicalLocation, { artifactLocation: { uri: 'cmd/main.go', uriBaseId: 'SRCROOT' } }, 'a column without a line is no region');
    assert.deepEqual(win!.locations![0]!.physicalLocation!.artifactLocation, { uri: 'file:///C:/src/app/main.go' });
    assert.deepEqual(mod!.locations![0]!.physicalLocation!.artifactLocation, { uri: 'file:///root/go/pkg/mod/github.com/cilium/ebpf@v0.12.3/map.go' });
    const rules = log.runs[0].tool.driver.rules;
    assert.deepEqual(rules.map((r) => [r.id, r.defaultConfiguration.level]), [['GC003', 'error'], ['DQ007', 'note'], ['NEW999', 'error']]);
    assert.equal(rules[2]!.shortDescription.text, 'a rule not in the catalog');
    assert.deepEqual(log.runs[0].invocations[0]!.toolExecutionNotifications, [{ level: 'warning', message: { text: 'DQ002: clock not aligned' } }]);
    assert.deepEqual(artifactLocation('main.go'), { uri: 'main.go', uriBaseId: 'SRCROOT' });
  });
});
