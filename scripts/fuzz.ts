// `npm run fuzz -- --runs N [--seed S] [--only NAME[,NAME]] [--verbose]`: every parser property of
// test/helpers/fuzz/properties.ts with N runs (default 10000; a property with a runScale below 1 —
// the heavy round trips that gzip or build archives — runs ceil(N * runScale)), from seed S (default:
// random, printed). Prints per parser the runs and the outcomes, every failure with fast-check's
// counterexample, seed and path (replay: the same --seed and --only), and cases slower than
// CASE_LIMIT_MS (a hang or super-linear blow-up on a small input); exits 1 on any failure.
import fc from 'fast-check';
import { PARSERS, PROPERTIES } from '../test/helpers/fuzz/properties.js';

/** A single case of a few KiB taking longer than this is reported as a failure (a hang, or worse than linear). */
const CASE_LIMIT_MS = 5000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

const runs = Number(arg('runs') ?? 10000);
const seed = Number(arg('seed') ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0);
const only = arg('only')?.split(',');
const verbose = process.argv.includes('--verbose');
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a positive integer, got ${arg('runs')}`);
if (!Number.isInteger(seed)) throw new Error(`--seed wants an integer, got ${arg('seed')}`);
const unknown = only?.filter((o) => !PARSERS.includes(o)) ?? [];
if (unknown.length > 0) throw new Error(`--only: no parser ${unknown.join(', ')}; the parsers are ${PARSERS.join(', ')}`);

const selected = PROPERTIES.filter((p) => only === undefined || only.includes(p.parser));
console.log(`fuzz: ${selected.length} properties of ${new Set(selected.map((p) => p.parser)).size} parsers, ${runs} runs each, seed ${seed}`);

interface Tally {
  runs: number;
  ms: number;
  failures: number;
}
const tally = new Map<string, Tally>();
let failed = 0;
const t0 = performance.now();

for (const p of selected) {
  const n = Math.ceil(runs * (p.runScale ?? 1));
  const slow: { ms: number }[] = [];
  // The per-case guard: time each case (the property is async; a case is one call of its predicate).
  let caseStart = 0;
  const timed = p
    .property()
    .beforeEach(async (previous) => {
      caseStart = performance.now();
      await previous();
    })
    .afterEach(async (previous) => {
      const ms = performance.now() - caseStart;
      if (ms > CASE_LIMIT_MS) slow.push({ ms });
      await previous();
    });
  const start = performance.now();
  const r = await fc.check(timed, { numRuns: n, seed, verbose: verbose ? 1 : 0 });
  const ms = performance.now() - start;
  const t = tally.get(p.parser) ?? { runs: 0, ms: 0, failures: 0 };
  t.runs += r.numRuns;
  t.ms += ms;
  const line = `  ${p.parser.padEnd(20)} ${String(r.numRuns).padStart(8)} runs ${(ms / 1000).toFixed(1).padStart(7)} s  ${p.name}`;
  if (r.failed) {
    failed++;
    t.failures++;
    console.log(`${line}\n    FAILED after ${r.numRuns} runs (seed ${r.seed}, path "${r.counterexamplePath}")`);
    console.log(`    replay: npm run fuzz -- --runs ${n} --seed ${r.seed} --only ${p.parser}`);
    console.log(`    counterexample: ${fc.stringify(r.counterexample).slice(0, 4000)}`);
    console.log(`    error: ${String((r.errorInstance as Error)?.stack ?? r.errorInstance).split('\n').slice(0, 12).join('\n    ')}`);
  } else {
    console.log(line);
  }
  if (slow.length > 0) {
    failed++;
    t.failures++;
    console.log(`    ${slow.length} cases took over ${CASE_LIMIT_MS} ms (slowest ${Math.max(...slow.map((s) => s.ms)).toFixed(0)} ms): a hang or super-linear time`);
  }
  tally.set(p.parser, t);
}

console.log('\nper parser:');
for (const [parser, t] of tally) {
  console.log(`  ${parser.padEnd(20)} ${String(t.runs).padStart(9)} runs ${(t.ms / 1000).toFixed(1).padStart(7)} s  ${t.failures === 0 ? 'ok' : `${t.failures} FAILED`}`);
}
console.log(`\n${failed === 0 ? 'ok' : `${failed} FAILED`}: ${((performance.now() - t0) / 1000).toFixed(1)} s, seed ${seed}`);
process.exit(failed === 0 ? 0 : 1);
