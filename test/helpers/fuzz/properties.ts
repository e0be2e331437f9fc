// Every parser's properties, in one registry shared by the bounded property tests
// (test/property/*.property.test.ts: fixed seed, a few hundred runs) and `npm run fuzz` (scripts/fuzz.ts:
// any number of runs, any seed). Two kinds per parser:
//   - round trip: a generated valid input, fed in random chunks (1 B..64 KiB), gives back what was
//     generated (sample counts, frames, cycle counts, rows, diagnostics, ...);
//   - hostile: a real fixture mutated (byte flips, truncation, garbage / invalid UTF-8 / NULs,
//     deleted bytes, duplicated lines, over-long lines against a small line limit), fed in random
//     chunks, ends in a result or a typed error that names the file and a line or byte offset
//     (typedOutcome), never in another exception.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { PerfFolder } from '../../../shared/analyses/perf/fold.js';
import { readArchive } from '../../../shared/parsers/archive/index.js';
import { detectKind } from '../../../shared/parsers/detect.js';
import { parseGcTrace } from '../../../shared/parsers/gctrace.js';
import { parseGoEscape } from '../../../shared/parsers/go-escape.js';
import { gunzip } from '../../../shared/parsers/gzip.js';
import { lineBatches } from '../../../shared/parsers/lines.js';
import { parseManifest } from '../../../shared/parsers/manifest.js';
import { parsePerfSchedLatency } from '../../../shared/parsers/perf-sched-latency.js';
import { PerfScriptParser } from '../../../shared/parsers/perf-script/index.js';
import { readProfile } from '../../../shared/parsers/pprof/index.js';
import { DEFAULT_LIMITS, type Limits } from '../../../shared/limits.js';
import type { PerfSample } from '../../../shared/model/perf.js';
import { chunked, chunking, cut, drain, mutate, mutations, text, typedOutcome, utf8 } from './core.js';
import * as gen from './generators.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
/** Mutation bases are real fixtures, cut to this many bytes so that a case stays cheap. */
const BASE_BYTES = 12 * 1024;

export interface ParserProperty {
  /** The parser (what `npm run fuzz -- --only NAME` selects). */
  parser: string;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds properties of any arguments
  property: () => fc.IAsyncPropertyWithHooks<any>;
  /** Relative cost: `npm run fuzz -- --runs N` runs ceil(N * runScale) cases (1 unless the property is heavy). */
  runScale?: number;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

function files(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (keep(n)) out.push(p);
    }
  };
  walk(join(FIXTURES, dir));
  return out;
}

const cache = new Map<string, Uint8Array[]>();
/** The fixtures of a folder (names kept by `keep`), each cut to BASE_BYTES (`cap` false: whole). */
function bases(dir: string, keep: (name: string) => boolean, transform: (b: Uint8Array) => Uint8Array = (b) => b, cap = true): Uint8Array[] {
  const key = `${dir}:${keep.toString()}:${transform.toString()}:${cap}`;
  let list = cache.get(key);
  if (list === undefined) {
    list = files(dir, keep).map((p) => {
      const b = transform(new Uint8Array(readFileSync(p)));
      return cap ? b.subarray(0, BASE_BYTES) : b;
    });
    assert.ok(list.length > 0, `no fixtures in ${dir}`);
    cache.set(key, list);
  }
  return list;
}

const txt = (n: string) => n.endsWith('.txt') || n.endsWith('.json');
const gunzipped = (b: Uint8Array) => (b[0] === 0x1f && b[1] === 0x8b ? new Uint8Array(zlib.gunzipSync(b)) : b);

/** A mutated fixture of `list`, a chunking, and a line limit (small sometimes, to hit the over-long paths). */
function hostile(list: () => Uint8Array[]) {
  return fc.record({
    base: fc.nat(),
    muts: mutations,
    sizes: chunking,
    maxLineBytes: fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 2048 })),
  }).map((r) => {
    const l = list();
    return { bytes: mutate(l[r.base % l.length]!, r.muts), sizes: r.sizes, maxLineBytes: r.maxLineBytes };
  });
}

// ---------------------------------------------------------------------------------------------
// Parsers run over a chunked source

/** Parser options for `file` with the hostile input's line limit, if it has one. */
function lineOpts(file: string, h: { maxLineBytes?: number | undefined }) {
  return { file, ...(h.maxLineBytes ? { maxLineBytes: h.maxLineBytes } : {}) };
}

/** perf script pushed chunk by chunk into `sink` (a sample collector or a folder); the parser's stats. */
function pushPerfScript(sink: ConstructorParameters<typeof PerfScriptParser>[0], bytes: Uint8Array, sizes: number[], maxLineBytes?: number) {
  const p = new PerfScriptParser(sink, lineOpts('perf.txt', { maxLineBytes }));
  for (const c of cut(bytes, sizes)) p.push(c);
  return p.end();
}

function perfScript(bytes: Uint8Array, sizes: number[], maxLineBytes?: number) {
  const samples: PerfSample[] = [];
  const stats = pushPerfScript({ sample: (s) => samples.push(s) }, bytes, sizes, maxLineBytes);
  return { stats, samples };
}

/** detectKind on the first 64 KiB: a kind, or undefined ("more bytes") only before the end; never an exception. */
function assertDetects(bytes: Uint8Array, name: string, eof: boolean) {
  const k = detectKind(bytes.subarray(0, 64 * 1024), { name, eof });
  assert.ok(k === undefined ? !eof : typeof k === 'string');
}

/** Small limits so that mutated archives reach them too. */
const SMALL_LIMITS: Limits = { ...DEFAULT_LIMITS, entries: 50, decodedBytes: 4 << 20, compressionRatio: 200 };

async function readAllEntries(bytes: Uint8Array, sizes: number[], name: string, limits?: Limits) {
  const out: { name: string; content: Uint8Array }[] = [];
  for await (const e of readArchive(chunked(bytes, sizes), { name, ...(limits ? { limits } : {}) })) {
    out.push({ name: e.name, content: await drain(e.body) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export const PROPERTIES: ParserProperty[] = [
  // perf script ---------------------------------------------------------------------------------
  {
    parser: 'perf-script',
    name: 'generated samples: count, comm, pid/tid, cpu, time, period, event and every frame come back',
    property: () =>
      fc.asyncProperty(gen.perfScript, chunking, async (g, sizes) => {
        const { stats, samples } = perfScript(g.bytes, sizes);
        assert.equal(stats.samples, g.expect.length);
        assert.equal(stats.warnings, 0);
        g.expect.forEach((e, i) => {
          const s = samples[i]!;
          assert.equal(s.comm, e.comm);
          assert.equal(s.pid, e.pid);
          assert.equal(s.tid, e.tid);
          assert.equal(s.cpu, e.cpu);
          assert.equal(s.timeNs, BigInt(e.sec) * 1_000_000_000n + BigInt(e.usec) * 1000n);
          assert.equal(s.period, e.period);
          assert.equal(s.event, e.event);
          assert.equal(s.frames.length, e.frames.length);
          e.frames.forEach((f, j) => {
            const got = s.frames[j]!;
            assert.equal(got.symbol, f.symbol);
            assert.equal(got.dso, f.dso);
            assert.equal(BigInt(`0x${got.address}`), BigInt(`0x${f.address}`));
            if (f.offset !== undefined) assert.equal(BigInt(got.offset!.startsWith('0x') ? got.offset! : `0x${got.offset}`), BigInt(f.offset));
          });
        });
      }),
  },
  {
    parser: 'perf-script',
    name: 'mutated fixtures: a result (the parser never throws on content), same under any chunking',
    property: () =>
      fc.asyncProperty(hostile(() => bases('perf-script', txt)), chunking, async (h, other) => {
        await typedOutcome('perf.txt', async () => {
          const a = perfScript(h.bytes, h.sizes, h.maxLineBytes);
          const b = perfScript(h.bytes, other, h.maxLineBytes);
          assert.deepEqual(a.stats, b.stats);
          assert.equal(a.samples.length, b.samples.length);
        });
      }),
  },

  // folded stacks ---------------------------------------------------------------------------------
  {
    parser: 'folded',
    name: 'folding generated perf script: the folded counts sum to the number of samples, one frame per line each',
    property: () =>
      // stackcollapse-perf.pl reads a comm of two characters or more (`^(\S.+?)\s+(\d+)`): the folder keeps that quirk.
      fc.asyncProperty(gen.perfScript.filter((g) => g.expect.every((s) => s.comm.length >= 2)), chunking, async (g, sizes) => {
        const folder = new PerfFolder({ weighting: 'samples' });
        pushPerfScript(folder, g.bytes, sizes);
        const out = folder.format();
        const lines = out.split('\n').filter((l) => l !== '');
        const first = g.expect[0]?.event;
        const expected = g.expect.filter((s) => s.event === first).length; // the script folds the first event seen
        let sum = 0;
        for (const l of lines) {
          const m = / (\d+)$/.exec(l);
          assert.ok(m, l);
          sum += Number(m[1]);
        }
        assert.equal(sum, expected);
      }),
  },
  {
    parser: 'folded',
    name: 'generated folded stacks are detected as folded; the counts parse back to the total',
    property: () =>
      fc.asyncProperty(gen.folded, async (g) => {
        assert.equal(detectKind(g.bytes, { name: 'stacks.txt', eof: true }), 'folded');
        const lines = text(g.bytes).split('\n').filter((l) => l !== '');
        assert.equal(lines.length, g.expect.lines);
        assert.equal(lines.reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0), g.expect.total);
      }),
  },
  {
    parser: 'folded',
    name: 'mutated fold goldens: detection returns a kind, never throws',
    property: () =>
      fc.asyncProperty(hostile(() => bases('fold', (n) => n.endsWith('.folded'))), fc.boolean(), async (h, eof) => {
        assertDetects(h.bytes, 'x.folded', eof);
      }),
  },

  // gctrace ---------------------------------------------------------------------------------------
  {
    parser: 'gctrace',
    name: 'generated gctrace (Go 1.4, 1.5, 1.6+, with and without stacks, glued after program text): one cycle per `gc N` line, numbers exact',
    property: () =>
      fc.asyncProperty(gen.gctrace, chunking, async (g, sizes) => {
        const r = await parseGcTrace(chunked(g.bytes, sizes), { file: 'gc.txt' });
        assert.equal(r.cycles.length, g.expect.length);
        assert.deepEqual(r.warnings, []);
        g.expect.forEach((e, i) => {
          const c = r.cycles[i]!;
          assert.equal(c.n, e.n);
          assert.equal(c.form, e.form);
          assert.equal(c.procs, e.procs);
          assert.equal(c.forced, e.forced);
          assert.equal(c.heapBeforeBytes, e.heap[0] * 2 ** 20);
          assert.equal(c.heapAfterBytes, e.heap[1] * 2 ** 20);
          assert.equal(c.heapLiveBytes, e.heap[2] * 2 ** 20);
          assert.equal(c.clockPhasesNs[0], e.firstPhaseNs);
        });
      }),
  },
  {
    parser: 'gctrace',
    name: 'mutated fixtures: a result with line-numbered warnings, whatever the line limit and chunking',
    property: () =>
      fc.asyncProperty(hostile(() => bases('gctrace', (n) => n.endsWith('.txt'))), async (h) => {
        await typedOutcome('gc.txt', async () => {
          const r = await parseGcTrace(chunked(h.bytes, h.sizes), lineOpts('gc.txt', h));
          for (const w of r.warnings) assert.ok(Number.isInteger(w.line) && w.line >= 1);
          for (const c of r.cycles) assert.ok(c.inputLine >= 1);
        });
      }),
  },

  // go escape (-m, -m=2, -json) --------------------------------------------------------------------
  {
    parser: 'go-escape',
    name: 'generated -m: one diagnostic per line, at its position, its package, no warnings',
    property: () =>
      fc.asyncProperty(gen.goEscapeM, chunking, async (g, sizes) => {
        const r = await parseGoEscape(chunked(g.bytes, sizes), { file: 'escape.txt' });
        assert.equal(r.format, 'text');
        assert.deepEqual(r.warnings, []);
        assert.deepEqual(r.packages, g.expect.packages);
        assert.equal(r.diagnostics.length, g.expect.sites.length);
        g.expect.sites.forEach((s, i) => {
          const d = r.diagnostics[i]!;
          assert.deepEqual([d.file, d.line, d.column], [s.file, s.line, s.col]);
        });
      }),
  },
  {
    parser: 'go-escape',
    name: 'generated -m=2 of the same sites: as many diagnostics as -m (summaries folded into their headlines), explained ones with flow',
    property: () =>
      fc.asyncProperty(gen.goEscapeM2, chunking, async (g, sizes) => {
        const r = await parseGoEscape(chunked(g.bytes, sizes), { file: 'escape.txt' });
        assert.deepEqual(r.warnings, []);
        assert.equal(r.diagnostics.length, g.expect.sites.length);
        const at = new Map(r.diagnostics.map((d) => [`${d.file}:${d.line}:${d.column}`, d]));
        for (const s of g.expect.sites) {
          const d = at.get(`${s.file}:${s.line}:${s.col}`);
          assert.ok(d, `${s.file}:${s.line}:${s.col}`);
          if (s.explained) assert.equal(d.flow.length, 2);
        }
      }),
  },
  {
    parser: 'go-escape-json',
    name: 'generated -json: one diagnostic per line, gc_version and package read',
    property: () =>
      fc.asyncProperty(gen.goEscapeJson, chunking, async (g, sizes) => {
        const r = await parseGoEscape(chunked(g.bytes, sizes), { file: 'main.json' });
        assert.equal(r.format, 'json');
        assert.deepEqual(r.warnings, []);
        assert.equal(r.goVersion, g.expect.goVersion);
        assert.deepEqual(r.packages, [g.expect.pkg]);
        assert.equal(r.diagnostics.length, g.expect.count);
      }),
  },
  {
    parser: 'go-escape',
    name: 'mutated -m / -m=2 fixtures: a result, or MalformedInputError with line and offset (over-long line)',
    property: () =>
      fc.asyncProperty(hostile(() => bases('go-escape', (n) => n.endsWith('.txt'))), async (h) => {
        await typedOutcome('escape.txt', () => parseGoEscape(chunked(h.bytes, h.sizes), lineOpts('escape.txt', h)));
      }),
  },
  {
    parser: 'go-escape-json',
    name: 'mutated -json fixtures: a result, or MalformedInputError with line and offset',
    property: () =>
      fc.asyncProperty(hostile(() => bases('go-escape', (n) => n.endsWith('.json') && !n.includes('expected'))), async (h) => {
        await typedOutcome('main.json', () => parseGoEscape(chunked(h.bytes, h.sizes), lineOpts('main.json', h)));
      }),
  },

  // perf sched latency ------------------------------------------------------------------------------
  {
    parser: 'perf-sched-latency',
    name: 'generated tables (three row forms, comms with spaces and colons, merged and per-tid): every row, TOTAL and INFO back',
    property: () =>
      fc.asyncProperty(gen.schedLatency, chunking, async (g, sizes) => {
        const r = await parsePerfSchedLatency(chunked(g.bytes, sizes), { file: 'sched.txt' });
        assert.deepEqual(r.warnings, []);
        assert.equal(r.tasks.length, g.expect.rows.length);
        assert.equal(r.info.length, g.expect.info);
        assert.deepEqual(r.total, { runtimeMs: Number((g.expect.total.runtimeMicros / 1000).toFixed(3)), switches: g.expect.total.switches });
        g.expect.rows.forEach((e, i) => {
          const t = r.tasks[i]!;
          assert.equal(t.comm, e.comm);
          assert.equal(t.pid, e.tid);
          assert.equal(t.threads, e.threads);
          assert.equal(t.switches, e.switches);
          assert.equal(t.runtimeNs, e.runtimeMicros * 1000);
          assert.equal(t.avgDelayNs, e.avgMicros * 1000);
          assert.equal(t.maxDelayNs, e.maxMicros * 1000);
          assert.equal(t.maxDelayEndNs !== undefined, e.form !== 'none');
        });
      }),
  },
  {
    parser: 'perf-sched-latency',
    name: 'mutated fixtures: a result with line-numbered warnings (never throws on content)',
    property: () =>
      fc.asyncProperty(hostile(() => bases('perf-sched-latency', (n) => n.endsWith('.txt'))), async (h) => {
        await typedOutcome('sched.txt', async () => {
          const r = await parsePerfSchedLatency(chunked(h.bytes, h.sizes), lineOpts('sched.txt', h));
          for (const w of r.warnings) assert.ok(Number.isInteger(w.line) && w.line >= 1);
        });
      }),
  },

  // manifest -----------------------------------------------------------------------------------------
  {
    parser: 'manifest',
    name: 'generated manifests: every field back as written, no warnings',
    property: () =>
      fc.asyncProperty(gen.manifest, chunking, async (g, sizes) => {
        const r = await parseManifest(chunked(g.bytes, sizes), { file: 'manifest.json' });
        assert.deepEqual(r.warnings, []);
        assert.deepEqual(r.manifest, g.expect);
      }),
  },
  {
    parser: 'manifest',
    name: 'mutated manifests: a result with warnings, or MalformedInputError with a byte offset',
    property: () =>
      fc.asyncProperty(
        hostile(() => [...bases('detect/manifest', (n) => n.endsWith('.json')), utf8(JSON.stringify({ repo: 'a/b', branch: 'main', commit: 'abc1234', labels: { k: 'v' }, clock: { anchors: [{ perfSeconds: 1.5, goSeconds: 0 }] } }))]),
        async (h) => {
          await typedOutcome('manifest.json', () => parseManifest(chunked(h.bytes, h.sizes), { file: 'manifest.json' }));
        },
      ),
  },

  // pprof ---------------------------------------------------------------------------------------------
  {
    parser: 'pprof',
    name: 'generated profiles (raw and gzipped, packed and unpacked): sample types, samples, values, locations and functions back',
    property: () =>
      fc.asyncProperty(gen.pprof, chunking, async (g, sizes) => {
        const p = await readProfile(chunked(g.bytes, sizes), { file: 'cpu.pb.gz' });
        const e = g.expect;
        assert.deepEqual(p.sampleTypes.map((t) => [t.type, t.unit]), e.sampleTypes);
        assert.equal(p.samples.length, e.samples.length);
        assert.equal(p.period, e.period);
        e.samples.forEach((s, i) => {
          const got = p.samples[i]!;
          assert.deepEqual(got.values, s.values);
          assert.equal(got.locations.length, s.locs.length);
          s.locs.forEach((l, j) => {
            const loc = got.locations[j]!;
            const want = e.locations[l]!;
            assert.equal(BigInt(loc.address), want.address);
            assert.deepEqual(loc.lines.map((ln) => [ln.function.name, ln.function.filename, ln.line]), want.lines.map((ln) => [e.functions[ln.fn]!.name, e.functions[ln.fn]!.file, ln.line]));
          });
        });
      }),
    runScale: 0.5,
  },
  {
    parser: 'pprof',
    name: 'mutated fixtures (gzipped and raw): a profile, or a typed error with the byte offset',
    property: () =>
      fc.asyncProperty(
        fc.oneof(
          hostile(() => bases('pprof', (n) => /\.pb(\.gz)?$/.test(n), (b) => b, false)),
          hostile(() => bases('pprof', (n) => /\.pb(\.gz)?$/.test(n), gunzipped)),
        ),
        async (h) => {
          await typedOutcome('cpu.pb.gz', () => readProfile(chunked(h.bytes, h.sizes), { file: 'cpu.pb.gz', limits: SMALL_LIMITS }));
        },
      ),
  },

  // archives and gzip -------------------------------------------------------------------------------
  {
    parser: 'archive',
    name: 'generated tar, tar.gz, zip (stored, deflated) and gzip: every entry back, names and bytes',
    property: () =>
      fc.asyncProperty(gen.archiveSpec, chunking, async (a, sizes) => {
        const { bytes, name } = gen.encodeArchive(a);
        const got = await readAllEntries(bytes, sizes, name);
        assert.equal(got.length, a.entries.length);
        a.entries.forEach((e, i) => {
          if (a.format !== 'gzip') assert.equal(got[i]!.name, e.name);
          assert.deepEqual(got[i]!.content, e.content);
        });
      }),
    runScale: 0.5,
  },
  {
    parser: 'archive',
    name: 'mutated archives (tar, tar.gz, zip, gzip fixtures): entries, or a typed error naming the archive or entry and an offset',
    property: () =>
      fc.asyncProperty(hostile(() => bases('archive', (n) => !n.endsWith('.md'), (b) => b, false)), async (h) => {
        await typedOutcome(undefined, () => readAllEntries(h.bytes, h.sizes, 'upload.bin', SMALL_LIMITS));
      }),
  },
  {
    parser: 'gzip',
    name: 'gunzip of random bytes (one or more members) gives them back, under any chunking',
    property: () =>
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 5000 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 9 }), chunking, async (members, level, sizes) => {
        const gz = Buffer.concat(members.map((m) => zlib.gzipSync(m, { level })));
        const out = await drain(gunzip(chunked(gz, sizes), { file: 'x.gz' }));
        assert.deepEqual(out, new Uint8Array(Buffer.concat(members)));
      }),
  },
  {
    parser: 'gzip',
    name: 'mutated gzip streams: the bytes, or GzipError / LimitExceededError with the compressed offset',
    property: () =>
      fc.asyncProperty(
        hostile(() => [...bases('archive', (n) => n.endsWith('.gz'), (b) => b, false), ...bases('pprof', (n) => n.endsWith('.gz'), (b) => b, false)]),
        async (h) => {
          await typedOutcome('x.gz', () => drain(gunzip(chunked(h.bytes, h.sizes), { file: 'x.gz', limits: SMALL_LIMITS })));
        },
      ),
  },

  // lines and detection ------------------------------------------------------------------------------
  {
    parser: 'lines',
    name: 'lineBatches: the lines of any text under any chunking, or the over-long line with its number and offset',
    property: () =>
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '\u{1F600}', '\r', '\0'), maxLength: 40 }), fc.constantFrom('\n', '\r\n')), { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 200 }),
        chunking,
        async (ls, lastEol, max, sizes) => {
          const raw = ls.map(([l, e]) => l + e).join('');
          const body = lastEol || raw === '' ? raw : raw.slice(0, raw.endsWith('\r\n') ? -2 : -1);
          const bytes = utf8(body);
          const want = body === '' ? [] : body.split('\n');
          if (want.length > 0 && want[want.length - 1] === '') want.pop();
          const expected = want.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
          const tooLong = expected.findIndex((l) => utf8(l).length > max && !(utf8(l).length === max + 1 && l.endsWith('\r')));
          const got: string[] = [];
          try {
            for await (const batch of lineBatches(chunked(bytes, sizes), { file: 'f.txt', maxLineBytes: max })) for (const l of batch) got.push(text(l));
          } catch (err) {
            const outcome = await typedOutcome('f.txt', () => Promise.reject(err));
            assert.equal(outcome, 'malformed');
            assert.ok(tooLong >= 0 || expected.some((l) => utf8(l).length + 1 > max), String(err));
            return;
          }
          assert.equal(tooLong, -1, `line ${tooLong + 1} is over ${max} bytes and was read without an error`);
          assert.deepEqual(got, expected);
        },
      ),
  },
  {
    parser: 'detect',
    name: 'detectKind on mutated fixtures of every kind: a kind (or "more bytes" before the end), never an exception',
    property: () =>
      fc.asyncProperty(
        hostile(() => [
          ...bases('detect', (n) => !n.endsWith('.md')),
          ...bases('gctrace', (n) => n.endsWith('.txt')),
          ...bases('perf-sched-latency', (n) => n.endsWith('.txt')),
          ...bases('go-escape', (n) => n.endsWith('.txt') || n.endsWith('.json')),
          ...bases('pprof', (n) => /\.pb(\.gz)?$/.test(n), gunzipped),
        ]),
        fc.boolean(),
        async (h, eof) => {
          assertDetects(h.bytes, 'entry', eof);
        },
      ),
  },
];

/** The parsers, in registry order. */
export const PARSERS = [...new Set(PROPERTIES.map((p) => p.parser))];
