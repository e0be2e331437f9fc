// One bench case in its own process, so peak RSS is this case's alone. Prints one JSON line.
//   node --import tsx scripts/bench/worker.ts perf-fold FILE [PASSES]
// With PASSES > 1 the input is processed that many times in this process: `coldMs` is the first pass
// (JIT warming up), `ms` the best pass after it (steady state).
import { createReadStream, statSync } from 'node:fs';
import { PerfScriptCollector } from '../../shared/analyses/perf/perf-script-collector.js';
import { emptyArtifacts } from '../../shared/analyses/collector.js';
import { DEFAULT_LIMITS } from '../../shared/limits.js';
import { emptyResult, type InputSummary } from '../../shared/model/report.js';

const [mode, file, passesArg] = process.argv.slice(2);
const passes = Math.max(1, Number(passesArg ?? 1));
if (!file) throw new Error('usage: worker.ts MODE FILE');
const bytes = statSync(file).size;

async function perfFold(): Promise<Record<string, unknown>> {
  const collector = new PerfScriptCollector(DEFAULT_LIMITS);
  const input: InputSummary = { name: file!, kind: 'perf-script', bytes, warnings: [] };
  await collector.consume(createReadStream(file!, { highWaterMark: 1 << 20 }), input);
  const result = emptyResult();
  const artifacts = emptyArtifacts();
  collector.finish(result, artifacts);
  const distinct = [...artifacts.folded.values()].reduce((n, text) => n + text.split('\n').length - 1, 0);
  return { samples: (input.summary as { samples: number }).samples, distinctStacks: distinct, warnings: input.warnings.length };
}

const cases: Record<string, () => Promise<Record<string, unknown>>> = { 'perf-fold': perfFold };
const run = cases[mode!];
if (!run) throw new Error(`unknown mode ${mode}`);
let extra: Record<string, unknown> = {};
let coldMs = 0;
let ms = Infinity;
for (let i = 0; i < passes; i++) {
  const t0 = process.hrtime.bigint();
  extra = await run();
  const pass = Number(process.hrtime.bigint() - t0) / 1e6;
  if (i === 0) coldMs = pass;
  if (i > 0 || passes === 1) ms = Math.min(ms, pass);
}
const maxRssMb = process.resourceUsage().maxRSS / 1024;
const mbPerS = bytes / 1024 / 1024 / (ms / 1000);
const coldMbPerS = bytes / 1024 / 1024 / (coldMs / 1000);
process.stdout.write(JSON.stringify({ mode, file, bytes, passes, ms, mbPerS, coldMs, coldMbPerS, maxRssMb, ...extra }) + '\n');
