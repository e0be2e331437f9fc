// Size doubling (issue 9): each parser reads inputs of S, 2S, 4S and 8S bytes, built from the fuzz
// generators (test/helpers/fuzz/generators.ts, fixed seed: distinct content, not one block repeated);
// prints ms per MB and the time ratio of each doubling. A linear parser shows ~2.0; a ratio over
// 2.6 is flagged as super-linear (printed, not asserted: timings on a loaded machine wobble).
// Alone: `node --import tsx scripts/bench/doubling.ts` (TRACELENS_DOUBLING_MB=S in MB, default 1).
import zlib from 'node:zlib';
import fc from 'fast-check';
import { PerfFolder } from '../../shared/analyses/perf/fold.js';
import { readArchive } from '../../shared/parsers/archive/index.js';
import { collect, fromBuffer } from '../../shared/parsers/bytes.js';
import { parseGcTrace } from '../../shared/parsers/gctrace.js';
import { parseGoEscape } from '../../shared/parsers/go-escape.js';
import { gunzip } from '../../shared/parsers/gzip.js';
import { lineBatches } from '../../shared/parsers/lines.js';
import { parseManifest } from '../../shared/parsers/manifest.js';
import { parsePerfSchedLatency } from '../../shared/parsers/perf-sched-latency.js';
import { PerfScriptParser } from '../../shared/parsers/perf-script/index.js';
import { readProfile } from '../../shared/parsers/pprof/index.js';
import * as gen from '../../test/helpers/fuzz/generators.js';
import { utf8 } from '../../test/helpers/fuzz/core.js';

const SEED = 9;
const FLAG = 2.6;

/** Generated units of an arbitrary, concatenated until `bytes` long; distinct units, a fixed seed. */
function grow<T>(arb: fc.Arbitrary<T>, toBytes: (t: T) => Uint8Array, bytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (let seed = SEED; n < bytes; seed++) {
    for (const t of fc.sample(arb, { seed, numRuns: 200 })) {
      const b = toBytes(t);
      parts.push(b);
      n += b.length;
      if (n >= bytes) break;
    }
  }
  return new Uint8Array(Buffer.concat(parts));
}

const src = (b: Uint8Array) => fromBuffer(b, 64 * 1024);

/** About `bytes` of generated perf script samples (the text the perf-script, fold, gzip, archive and lines cases read). */
const perfText = (bytes: number) => grow(gen.perfSample, (s) => utf8(gen.perfSampleText(s)), bytes);

/** perf script fed in 64 KiB chunks to `sink`; the parser's stats. */
async function pushPerfScript(sink: ConstructorParameters<typeof PerfScriptParser>[0], b: Uint8Array) {
  const p = new PerfScriptParser(sink, { file: 'perf.txt' });
  for await (const c of src(b)) p.push(c);
  return p.end();
}

interface Case {
  parser: string;
  /** S for this parser, in bytes (some formats are small by nature: a manifest is under 1 MiB). */
  base: number;
  make: (bytes: number) => Uint8Array;
  run: (input: Uint8Array) => Promise<unknown>;
}

function cases(mb: number): Case[] {
  const S = Math.round(mb * 1024 * 1024);
  return [
    {
      parser: 'perf-script',
      base: S,
      make: perfText,
      run: (b) => pushPerfScript({ sample() {} }, b),
    },
    {
      parser: 'folded',
      base: S,
      make: perfText,
      run: async (b) => {
        const f = new PerfFolder();
        await pushPerfScript(f, b);
        return f.format().length;
      },
    },
    {
      parser: 'gctrace',
      base: S,
      make: (n) => grow(gen.gctrace, (g) => g.bytes, n),
      run: (b) => parseGcTrace(src(b), { file: 'gc.txt' }),
    },
    {
      parser: 'go-escape (-m=2)',
      base: S,
      // Each unit a package of its own, so positions repeat across packages as in a real build.
      make: (n) => grow(gen.goEscapeM2, (g) => g.bytes, n),
      run: (b) => parseGoEscape(src(b), { file: 'escape.txt' }),
    },
    {
      parser: 'go-escape-json',
      base: S,
      make: (n) => grow(gen.goEscapeJson, (g) => g.bytes, n),
      run: (b) => parseGoEscape(src(b), { file: 'main.json' }),
    },
    {
      parser: 'perf-sched-latency',
      base: S,
      make: (n) => grow(gen.schedLatency, (g) => g.bytes, n),
      run: (b) => parsePerfSchedLatency(src(b), { file: 'sched.txt' }),
    },
    {
      parser: 'manifest',
      base: 96 * 1024, // 8S stays under MAX_MANIFEST_BYTES (1 MiB)
      make: (n) => {
        const labels: Record<string, string> = {};
        const anchors: { perfSeconds: number; goSeconds: number }[] = [];
        let size = 100;
        for (let i = 0; size < n; i++) {
          if (i % 2 === 0 || anchors.length >= 10_000) {
            const k = `label-${i}`;
            const v = `value ${i} ${'x'.repeat(i % 40)}`;
            labels[k] = v;
            size += JSON.stringify(k).length + JSON.stringify(v).length + 2;
          } else {
            const a = { perfSeconds: 512 + i / 7, goSeconds: i / 7 };
            anchors.push(a);
            size += JSON.stringify(a).length + 1;
          }
        }
        return utf8(JSON.stringify({ repo: 'acme/probe', branch: 'main', labels, clock: { anchors } }));
      },
      run: (b) => parseManifest(src(b), { file: 'manifest.json' }),
    },
    {
      parser: 'pprof',
      base: S,
      make: (n) => {
        // One profile whose samples grow: a spec's samples repeated with the spec's tables.
        const spec = fc.sample(gen.profileSpec, { seed: SEED, numRuns: 1 })[0]!;
        const one = spec.samples[0] ?? { locs: [0], values: spec.sampleTypes.map(() => 1) };
        const per = gen.encodeProfile({ ...spec, gzip: false, samples: [one] }).length - gen.encodeProfile({ ...spec, gzip: false, samples: [] }).length;
        const samples = [];
        for (let i = 0; i * per < n; i++) samples.push({ locs: one.locs, values: one.values.map((v) => v + i) });
        return gen.encodeProfile({ ...spec, samples, gzip: false }); // raw profile.proto
      },
      run: (b) => readProfile(src(b), { file: 'cpu.pb' }),
    },
    {
      parser: 'archive (tar.gz)',
      base: S,
      make: (n) => {
        const entries: { name: string; content: Uint8Array }[] = [];
        let size = 0;
        for (let i = 0; size < n; i++) {
          const content = perfText(64 * 1024);
          entries.push({ name: `traces/${i}.txt`, content });
          size += content.length;
        }
        return gen.encodeArchive({ format: 'tar.gz', entries }).bytes;
      },
      run: async (b) => {
        let n = 0;
        for await (const e of readArchive(src(b), { name: 'up.tar.gz' })) n += (await collect(e.body)).length;
        return n;
      },
    },
    {
      parser: 'gzip',
      base: S,
      make: (n) => new Uint8Array(zlib.gzipSync(perfText(n))),
      run: (b) => collect(gunzip(src(b), { file: 'x.gz' })),
    },
    {
      parser: 'lines',
      base: S,
      make: perfText,
      run: async (b) => {
        let n = 0;
        for await (const batch of lineBatches(src(b), { file: 'f.txt', maxLineBytes: 1 << 20 })) n += batch.length;
        return n;
      },
    },
  ];
}

async function best(run: () => Promise<unknown>, runs: number): Promise<number> {
  let top = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    top = Math.min(top, performance.now() - t0);
  }
  return top;
}

/** Prints the doubling table; returns the parsers flagged super-linear. */
export async function runDoubling(mb = Number(process.env.TRACELENS_DOUBLING_MB || 1), runs = 3): Promise<string[]> {
  console.log(`\nsize doubling: S, 2S, 4S, 8S per parser (best of ${runs}; time ratio per doubling, > ${FLAG} flagged super-linear)`);
  console.log(`${'parser'.padEnd(20)} ${'S'.padStart(8)}   ${'ms/MB at S, 2S, 4S, 8S'.padEnd(34)} ratios`);
  const flagged: string[] = [];
  for (const c of cases(mb)) {
    const sizes = [1, 2, 4, 8].map((k) => c.base * k);
    const inputs = sizes.map((n) => c.make(n));
    await best(() => c.run(inputs[0]!), 1); // warm-up (JIT)
    const ms: number[] = [];
    for (const input of inputs) ms.push(await best(() => c.run(input), runs));
    const perMb = ms.map((t, i) => t / (inputs[i]!.length / 1024 / 1024));
    const ratios = ms.slice(1).map((t, i) => t / ms[i]!);
    const bad = ratios.some((r) => r > FLAG);
    if (bad) flagged.push(c.parser);
    console.log(
      `${c.parser.padEnd(20)} ${`${(inputs[0]!.length / 1024 / 1024).toFixed(2)} MB`.padStart(8)}   ${perMb.map((v) => v.toFixed(1).padStart(7)).join(' ')}      ${ratios.map((r) => r.toFixed(2)).join('  ')}${bad ? '  SUPER-LINEAR?' : ''}`,
    );
  }
  console.log(flagged.length === 0 ? 'no parser super-linear' : `super-linear (ratio > ${FLAG}): ${flagged.join(', ')}`);
  return flagged;
}

if (import.meta.url === `file://${process.argv[1]}`) await runDoubling();
