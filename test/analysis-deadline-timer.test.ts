// The analysis deadline (limits.analysisSeconds) must not keep a process alive by itself: a source that
// stalls with nothing else pending lets the process end instead of waiting out the 840 s deadline. (A
// ref'd timer made `npm test` wait ~14 minutes on the dead-letter test's stalled streams.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { ROOT } from './helpers/samples.js';

it('a stalled source leaves no timer holding the process', () => {
  const script = `
    import { PassThrough } from 'node:stream';
    import { analyze } from './shared/analyses/analyze.ts';
    const body = new PassThrough();
    body.write(Buffer.from('gc 1 @0.01s 0%: 0.1+1+0.1 ms clock, 0.1+0/0.1/0+0.1 ms cpu, 4->4->1 MB, 5 MB goal, 2 P\\n'));
    analyze([{ name: 'stalled.txt', body }]).then(() => console.log('finished?'));
    process.on('exit', () => console.log('exited with the analysis pending'));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000, // a hang guard only: the process should end at once
  });
  assert.equal(r.signal, null, `killed by the hang guard: ${r.stderr}`);
  assert.doesNotMatch(r.stdout, /finished\?/, 'the analysis must still be waiting on the stalled source when the process ends');
  assert.match(r.stdout, /exited with the analysis pending/);
});
