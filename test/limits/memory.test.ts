// Memory stays bounded on every bomb: each case runs in its own child process (scripts/memory-probe.ts)
// which reports its peak RSS (process.resourceUsage().maxRSS); the analysis must end with the
// expected error and the peak must stay under RSS_BOUND_MB. No timing assertion: it just completes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/samples.js';

const RSS_BOUND_MB = 400;

function probe(which: string, env: Record<string, string> = {}) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/memory-probe.ts', which], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 ** 2,
  });
  const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
    error?: string;
    inputErrors: string[];
    dataQuality: string[];
    seconds: number;
    maxRssMB: number;
  };
  console.log(`# ${which}: ${r.seconds} s, peak RSS ${r.maxRssMB} MB: ${r.error ?? r.inputErrors[0] ?? r.dataQuality.join(',')}`);
  return r;
}

const CASES: Array<[string, (r: ReturnType<typeof probe>) => void, Record<string, string>?]> = [
  ['gzip-4gib', (r) => assert.match(r.error ?? '', /compressionRatio .*TRACELENS_LIMIT_COMPRESSION_RATIO/)],
  ['nested-gzip', (r) => assert.match(r.error ?? r.inputErrors[0] ?? '', /compressionRatio .*TRACELENS_LIMIT_COMPRESSION_RATIO/)],
  ['tar-gz-bomb-entry', (r) => assert.match(r.error ?? r.inputErrors[0] ?? '', /bomb\.gz .*compressionRatio/)],
  ['zip-overlap', (r) => assert.match(r.error ?? '', /compressionRatio/)],
  ['zip-quoted', (r) => assert.match(r.error ?? '', /compressionRatio/)],
  ['million-entries', (r) => assert.match(r.error ?? '', /entries 10001 .*TRACELENS_LIMIT_ENTRIES/)],
  ['long-line', (r) => assert.deepEqual(r.dataQuality, ['DQ007'])],
  ['deep-stack', (r) => assert.ok(r.dataQuality.includes('DQ012'))],
  ['distinct-stacks', (r) => assert.ok(r.dataQuality.includes('DQ013')), { TRACELENS_LIMIT_DISTINCT_STACKS: '100000' }],
];

describe(`bombs stay under ${RSS_BOUND_MB} MB RSS (child processes)`, { concurrency: 1 }, () => {
  for (const [which, check, env] of CASES) {
    it(which, () => {
      const r = probe(which, env);
      check(r);
      assert.ok(r.maxRssMB < RSS_BOUND_MB, `${which}: peak RSS ${r.maxRssMB} MB`);
    });
  }
});
