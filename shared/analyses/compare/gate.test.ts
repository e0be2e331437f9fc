import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceLensError } from '../../errors.js';
import { DEFAULT_GATE_THRESHOLDS, GATE_THRESHOLD_KEYS, GateThresholdsSchema, mergeThresholds, parseThresholdsQuery } from './gate.js';

function rejects(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TraceLensError, String(err));
    assert.equal(err.code, 'invalid_request');
    assert.equal(err.status, 400);
    assert.match(err.message, re);
    return true;
  });
}

describe('gate thresholds', () => {
  it('the defaults are valid and documented keys', () => {
    assert.deepEqual(GateThresholdsSchema.parse({ ...DEFAULT_GATE_THRESHOLDS }), { ...DEFAULT_GATE_THRESHOLDS });
    assert.equal(DEFAULT_GATE_THRESHOLDS.maxNewSiteBytes, 1 << 20);
    assert.equal(DEFAULT_GATE_THRESHOLDS.p99GrowthFloorNs, 50_000);
    assert.equal(GATE_THRESHOLD_KEYS.length, 13);
  });

  it('parses numbers, units, percents and booleans from query strings, skipping the route keys', () => {
    assert.deepEqual(
      parseThresholdsQuery({
        base: 'branch:main',
        format: 'md',
        maxNewSiteBytes: '2MiB',
        maxSiteGrowthBytes: '1048576',
        maxNewSiteShare: '10%',
        maxP99GrowthRatio: '0.3',
        p99GrowthFloorNs: '100us',
        failOnGcExplains: 'false',
        latencyMinCount: '50',
        reportMinBytes: '64KiB',
      }),
      {
        maxNewSiteBytes: 2 << 20,
        maxSiteGrowthBytes: 1 << 20,
        maxNewSiteShare: 0.1,
        maxP99GrowthRatio: 0.3,
        p99GrowthFloorNs: 100_000,
        failOnGcExplains: false,
        latencyMinCount: 50,
        reportMinBytes: 65536,
      },
    );
    assert.deepEqual(parseThresholdsQuery({}), {});
  });

  it('rejects bad numbers with the key and value named', () => {
    rejects(() => parseThresholdsQuery({ maxNewSiteBytes: 'lots' }), /maxNewSiteBytes="lots": expected a number of bytes/);
    rejects(() => parseThresholdsQuery({ maxNewSiteBytes: '' }), /maxNewSiteBytes="": expected a number/);
    rejects(() => parseThresholdsQuery({ maxNewSiteBytes: '1.5' }), /maxNewSiteBytes="1.5": expected a whole number/);
    rejects(() => parseThresholdsQuery({ maxNewSiteBytes: '-1' }), /maxNewSiteBytes="-1": expected a number >= 0/);
    rejects(() => parseThresholdsQuery({ maxNewSiteShare: '1.5' }), /maxNewSiteShare="1.5": expected a share between 0 and 1/);
    rejects(() => parseThresholdsQuery({ p99GrowthFloorNs: '5 parsecs' }), /unknown unit "parsecs"/);
    rejects(() => parseThresholdsQuery({ maxP99GrowthRatio: 'Infinity' }), /maxP99GrowthRatio/);
    rejects(() => parseThresholdsQuery({ failOnGcExplains: 'maybe' }), /failOnGcExplains="maybe": expected true or false/);
  });

  it('rejects unknown keys, listing the known ones', () => {
    rejects(() => parseThresholdsQuery({ maxNewSiteByte: '1' }), /unknown threshold "maxNewSiteByte" \(known: maxNewSiteBytes, /);
    rejects(() => parseThresholdsQuery({ base: 'x' }, []), /unknown threshold "base"/);
  });

  it('merges defaults < per-repo < per-request and validates each layer', () => {
    const repo = { maxNewSiteBytes: 4 << 20, maxTotalGrowthRatio: 0.5 };
    const request = parseThresholdsQuery({ maxNewSiteBytes: '8MiB' });
    const t = mergeThresholds(repo, request);
    assert.equal(t.maxNewSiteBytes, 8 << 20);
    assert.equal(t.maxTotalGrowthRatio, 0.5);
    assert.equal(t.maxP99GrowthRatio, DEFAULT_GATE_THRESHOLDS.maxP99GrowthRatio);
    rejects(() => mergeThresholds({ nope: 1 } as never), /invalid gate thresholds/);
    rejects(() => mergeThresholds({ maxNewSiteShare: 2 }), /maxNewSiteShare/);
  });
});
