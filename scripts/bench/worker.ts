// One bench case in its own process, so peak RSS is this case's alone. Prints one JSON line.
//   node --import tsx scripts/bench/worker.ts perf-fold|pprof-ours|pprof-format|analyze FILE [PASSES] [GCTRACE]
// With PASSES > 1 the input is processed that many times in this process: `coldMs` is the first pass
// (JIT warming up), `ms` the best pass after it (steady state).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Profile as PeerProfile } from 'pprof-format';
import { analyze } from '../../shared/analyses/analyze.js';
import { PerfScriptCollector } from '../../shared/analyses/perf/perf-script-collector.js';
import { emptyArtifacts } from '../../shared/analyses/collector.js';
import { DEFAULT_LIMITS } from '../../shared/limits.js';
import { emptyResult, type InputSummary } from '../../shared/model/report.js';
import { decodeProfile, sampleTypeIndex } from '../../shared/parsers/pprof/index.js';

const [mode, file, passesArg, gctraceFile] = process.argv.slice(2);
const passes = Math.max(1, Number(passesArg ?? 1));
if (!file) throw new Error('usage: worker.ts MODE FILE');
// pprof cases time decoding the raw (gunzipped) profile, so `bytes` is its raw size.
const pprofRaw = mode!.startsWith('pprof-') ? gunzipSync(readFileSync(file)) : undefined;
const bytes = (pprofRaw?.length ?? statSync(file).size) + (gctraceFile ? statSync(gctraceFile).size : 0);

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

/** The whole `analyze` (what the analyzer Lambda runs) on loose files: the perf script and its gctrace. */
async function wholeAnalysis(): Promise<Record<string, unknown>> {
  const sources = [file!, ...(gctraceFile ? [gctraceFile] : [])].map((f) => ({
    name: f.split('/').pop()!,
    body: createReadStream(f, { highWaterMark: 1 << 20 }),
    bytes: statSync(f).size,
  }));
  const { result, error } = await analyze(sources);
  if (error) throw new Error(`analyze failed: ${error.message}`);
  const upd = result.latency.find((l) => l.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && l.kind === 'duration');
  const gap = result.latency.find((l) => l.series === 'syscall:bpf:BPF_MAP_UPDATE_ELEM' && l.kind === 'gap');
  return {
    inputs: result.inputs.map((i) => i.kind).join(','),
    gcCycles: result.gc.cycles.length,
    alignment: result.gc.alignment?.method,
    mapUpdates: upd?.count,
    updateVerdict: upd?.gc?.verdict,
    cadenceVerdict: gap?.gc?.verdict,
    findings: result.findings.length,
  };
}

/**
 * The aggregate both pprof cases compute the same way: alloc_space summed per leaf function (the
 * innermost line of a sample's first location), into an array indexed by function id, then by name.
 */
interface LeafSums {
  samples: number;
  leafFunctions: number;
  allocSpace: number;
  top: string;
}

function leafSums(samples: number, sums: Map<string, number>): LeafSums {
  let top = '';
  let allocSpace = 0;
  for (const [name, v] of sums) {
    allocSpace += v;
    if (top === '' || v > sums.get(top)!) top = name;
  }
  return { samples, leafFunctions: sums.size, allocSpace, top };
}

/** Ours: decodeProfile, then a walk over the resolved model. */
async function pprofOurs(): Promise<Record<string, unknown>> {
  const p = decodeProfile(pprofRaw!, { file: file! });
  const v = sampleTypeIndex(p, 'alloc_space');
  const byId = new Float64Array(Math.max(0, ...p.functions.map((f) => f.id)) + 1);
  for (const s of p.samples) {
    const line = s.locations[0]?.lines[0];
    if (line !== undefined) byId[line.function.id]! += s.values[v]!;
  }
  const sums = new Map<string, number>();
  for (const f of p.functions) if (byId[f.id]) sums.set(f.name, (sums.get(f.name) ?? 0) + byId[f.id]!);
  return { ...leafSums(p.samples.length, sums) };
}

/** The peer: pprof-format's Profile.decode, then the same walk, ids resolved through arrays built once. */
async function pprofFormat(): Promise<Record<string, unknown>> {
  const p = PeerProfile.decode(pprofRaw!);
  const strings = p.stringTable.strings;
  const v = p.sampleType.findIndex((t) => strings[Number(t.type)] === 'alloc_space');
  const locations: Array<(typeof p.location)[number]> = [];
  for (const l of p.location) locations[Number(l.id)] = l;
  const byId = new Float64Array(Math.max(0, ...p.function.map((f) => Number(f.id))) + 1);
  for (const s of p.sample) {
    if (s.locationId.length === 0) continue;
    const line = locations[Number(s.locationId[0])]?.line[0];
    if (line !== undefined) byId[Number(line.functionId)]! += Number(s.value[v]);
  }
  const sums = new Map<string, number>();
  for (const f of p.function) {
    const id = Number(f.id);
    const name = strings[Number(f.name)]!;
    if (byId[id]) sums.set(name, (sums.get(name) ?? 0) + byId[id]!);
  }
  return { ...leafSums(p.sample.length, sums) };
}

const cases: Record<string, () => Promise<Record<string, unknown>>> = {
  'perf-fold': perfFold,
  'pprof-ours': pprofOurs,
  'pprof-format': pprofFormat,
  analyze: wholeAnalysis,
};
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
