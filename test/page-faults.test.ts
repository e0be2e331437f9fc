// Page faults in freshly mapped regions, end to end on a real recording (perf -d, --show-mmap-events).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analysedSample } from './helpers/reports.js';
import { ROOT } from './helpers/samples.js';

const FILE = `${ROOT}test/fixtures/perf-script/page-faults/python-mmap-fresh-faults.txt.gz`;

describe('page faults vs mmap', () => {
  it('finds the faults in regions mapped just before them and reports MEM001', async () => {
    const result = await analysedSample(FILE);
    const pf = result.pageFaults!;
    assert.deepEqual([pf.faults, pf.inRegion, pf.inFresh], [9889, 7325, 6113]);
    assert.ok(pf.regions.some((r) => r.file === '//anon' && r.kind === 'anon' && r.faults > 100));
    assert.equal(result.inputs[0]!.warnings.length, 0);
    const mem = result.findings.find((f) => f.rule === 'MEM001');
    assert.equal(mem?.title, '6113 of 9889 page faults hit memory mapped within the second before');
  });
});
