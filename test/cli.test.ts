// bin/tracelens as a user runs it: a child process, real files, stdout and exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Report } from '../shared/model/report.js';
import { BOXED_ARCHIVE, MAPSTRESS_KINDS, ROOT } from './helpers/samples.js';

function tracelens(...args: string[]) {
  const r = spawnSync(`${ROOT}bin/tracelens`, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/tracelens analyze', () => {
  it('prints the report of an archive with its seven input kinds', () => {
    const r = tracelens('analyze', BOXED_ARCHIVE, '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.status, 'complete');
    assert.deepEqual(report.inputs.map((i) => i.kind).sort(), MAPSTRESS_KINDS);
  });

  it('reads a directory of loose files, gzipped or not, with the same kinds', () => {
    const r = tracelens('analyze', `${ROOT}test/fixtures/samples/mapstress-boxed`, '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    const byName = Object.fromEntries(report.inputs.map((i) => [i.name, i.kind]));
    assert.equal(byName['perf.script.txt.gz'], 'perf-script');
    assert.equal(byName['heap.pb.gz'], 'pprof');
    assert.equal(byName['escape-m2.txt'], 'go-escape');
    assert.equal(byName['sched-latency.txt'], 'perf-sched-latency');
    // The directory also holds the archive itself: its entries are named under it.
    assert.equal(byName['archive.tar.gz/gctrace.txt'], 'gctrace');
  });

  it('writes markdown to --out', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tracelens-cli-')), 'report.md');
    const r = tracelens('analyze', BOXED_ARCHIVE, '--format', 'md', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    const md = readFileSync(out, 'utf8');
    assert.match(md, /^## TraceLens report /);
    assert.match(md, /\| `perf\.script\.txt\.gz` \| perf-script \|/);
  });

  it('exits 2 with usage on bad arguments and 1 on a missing file', () => {
    const none = tracelens('analyze');
    assert.equal(none.status, 2);
    assert.match(none.stderr, /usage:/);
    assert.equal(tracelens('frobnicate').status, 2);
    assert.equal(tracelens('analyze', 'x', '--format', 'xml').status, 2);
    const missing = tracelens('analyze', '/nonexistent/trace.tar.gz');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nonexistent\/trace\.tar\.gz/);
  });
});
