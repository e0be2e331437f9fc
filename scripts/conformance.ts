// `npm run conformance`: `tracelens fold --OPT` against the folded stacks FlameGraph's own
// stackcollapse-perf.pl printed, for each perf script of its test corpus and each option, byte for byte.
// Reads the corpus in place (../shared/corpus/flamegraph-perf: not ours, never copied into this repo).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBuffer } from '../shared/parsers/bytes.js';
import { foldPerfScript } from '../shared/cli/fold.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const CORPUS = resolve(ROOT, '../shared/corpus/flamegraph-perf');
const OPTIONS = ['pid', 'tid', 'kernel', 'jit', 'all', 'addrs'] as const;

if (!existsSync(CORPUS)) {
  console.log(`conformance: ${CORPUS} is not there; nothing to check (skipped)`);
  process.exit(0);
}

const inputs = readdirSync(CORPUS)
  .filter((f) => /^perf-.*\.txt$/.test(f))
  .sort();
let exact = 0;
let total = 0;
for (const file of inputs) {
  const input = readFileSync(join(CORPUS, file));
  const name = file.replace(/\.txt$/, '');
  for (const opt of OPTIONS) {
    total++;
    const expectedPath = join(CORPUS, 'results', `${name}-collapsed-${opt}.txt`);
    if (!existsSync(expectedPath)) {
      console.log(`MISSING  ${file} --${opt}: no ${expectedPath}`);
      continue;
    }
    const expected = readFileSync(expectedPath);
    const run = await foldPerfScript(fromBuffer(input), { [opt]: true, file });
    const actual = Buffer.from(run.stdout, 'utf8');
    if (actual.equals(expected)) {
      exact++;
      continue;
    }
    const want = expected.toString('utf8').split('\n');
    const got = run.stdout.split('\n');
    let i = 0;
    while (i < want.length && want[i] === got[i]) i++;
    console.log(`MISMATCH ${file} --${opt}: first difference at output line ${i + 1}`);
    console.log(`  expected: ${show(want[i])}`);
    console.log(`  actual:   ${show(got[i])}`);
  }
}
console.log(`${exact}/${total} exact matches`);
process.exit(exact === total ? 0 : 1);

function show(line: string | undefined): string {
  return line === undefined ? '(end of output)' : JSON.stringify(line);
}
