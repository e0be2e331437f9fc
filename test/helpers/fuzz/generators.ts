// Generators of valid inputs, one per format, each with what the parser must find in it (the
// round-trip half of the properties). Formats as the real producers print them (see each parser's
// header comment for the source lines quoted there).
import zlib from 'node:zlib';
import fc from 'fast-check';
import { ProtoWriter } from '../../../shared/parsers/pprof/wire-writer.js';
import { tarOf, zipOf } from '../bombs.js';
import { utf8 } from './core.js';

/** A generated input and what a correct parse of it finds. */
export interface Generated<E> {
  bytes: Uint8Array;
  expect: E;
}

const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
const word = (min = 1, max = 8) => fc.string({ unit: lower, minLength: min, maxLength: max });
const ident = fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_'), word(0, 7)).map(([a, b]) => a + b);
const hex = (min: number, max: number) => fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map((v) => v.toString(16));

// ---------------------------------------------------------------------------------------------
// perf script

export interface PerfFrameSpec {
  address: string;
  symbol: string;
  offset: string | undefined;
  dso: string;
}
export interface PerfSampleSpec {
  comm: string;
  pid: number;
  tid: number;
  cpu: number;
  /** Seconds and micros as printed. */
  sec: number;
  usec: number;
  period: number;
  event: string;
  frames: PerfFrameSpec[];
}

/** Comms as the kernel keeps them (≤ 15 bytes): words with digits, colons, dots, slashes, dashes, single spaces. */
const commChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789:._/-[]');
const commWord = fc.string({ unit: commChar, minLength: 1, maxLength: 6 });
export const perfComm: fc.Arbitrary<string> = fc
  .array(commWord, { minLength: 1, maxLength: 3 })
  .map((ws) => ws.join(' ').slice(0, 15).trim())
  // A first word that is all digits and then a tid-like word is ambiguous only without the time; a
  // comm must not start with `#` (a comment) nor be empty.
  .filter((c) => c !== '' && !c.endsWith(':'));

const symbolPart = fc.oneof(
  ident,
  fc.tuple(ident, ident).map(([a, b]) => `${a}.${b}`),
  fc.tuple(word(), ident, ident).map(([p, t, m]) => `${p}.(*${t}).${m}`),
  fc.tuple(ident, ident).map(([a, b]) => `${a}::${b}<long>`),
  fc.tuple(ident, ident).map(([a, b]) => `${a}::${b}(unsigned long)`),
  fc.constant('[unknown]'),
);
export const perfFrame: fc.Arbitrary<PerfFrameSpec> = fc.record({
  address: fc.oneof(hex(0x1000, 0xffffffff), hex(0xffffffff80000000, 0xffffffffffffffff)),
  symbol: symbolPart,
  offset: fc.option(hex(0, 0xffff).map((h) => `0x${h}`), { nil: undefined }),
  dso: fc.oneof(
    fc.constant('[kernel.kallsyms]'),
    fc.constant('[unknown]'),
    fc.tuple(word(), word()).map(([d, f]) => `/usr/${d}/${f}.so.6`),
    fc.tuple(word(), word()).map(([d, f]) => `/tmp/${d} dir/${f}`),
  ),
}).map((f) => (f.symbol === '[unknown]' ? { ...f, offset: undefined } : f));

export const perfSample: fc.Arbitrary<PerfSampleSpec> = fc.record({
  comm: perfComm,
  pid: fc.integer({ min: 0, max: 4194304 }),
  tid: fc.integer({ min: 0, max: 4194304 }),
  cpu: fc.integer({ min: 0, max: 255 }),
  sec: fc.integer({ min: 0, max: 9999999 }),
  usec: fc.integer({ min: 0, max: 999999 }),
  period: fc.integer({ min: 1, max: 1e10 }),
  event: fc.constantFrom('cycles', 'cycles:u', 'cycles:ppp', 'task-clock', 'cpu-clock:uhH', 'instructions'),
  frames: fc.array(perfFrame, { minLength: 1, maxLength: 12 }),
});

export function perfFrameLine(f: PerfFrameSpec): string {
  return `\t${f.address.padStart(16)} ${f.symbol}${f.offset === undefined ? '' : `+${f.offset}`} (${f.dso})\n`;
}

export function perfSampleText(s: PerfSampleSpec): string {
  const time = `${s.sec}.${String(s.usec).padStart(6, '0')}`;
  const head = `${s.comm} ${String(s.pid).padStart(5)}/${String(s.tid).padEnd(5)} [${String(s.cpu).padStart(3, '0')}] ${time.padStart(12)}: ${String(s.period).padStart(10)} ${s.event}: \n`;
  return head + s.frames.map(perfFrameLine).join('') + '\n';
}

export const perfScript: fc.Arbitrary<Generated<PerfSampleSpec[]>> = fc
  .array(perfSample, { minLength: 0, maxLength: 30 })
  .map((samples) => ({ bytes: utf8(samples.map(perfSampleText).join('')), expect: samples }));

// ---------------------------------------------------------------------------------------------
// gctrace

export interface GcSpec {
  n: number;
  form: 'go1.6' | 'go1.5' | 'go1.4';
  heap: [number, number, number];
  procs: number;
  forced: boolean;
  /** The first clock phase in ns (exact: printed with at most three decimals of a ms). */
  firstPhaseNs: number;
}

/** A fmtNSAsMS-like number of ms: `12`, `3.7`, `0.059`; as thousandths, so the ns are exact. */
const msThousandths = fc.oneof(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1000, max: 9999 }).map((v) => v - (v % 100)), fc.integer({ min: 10, max: 5000 }).map((v) => v * 1000));
const ms = (k: number) => (k % 1000 === 0 ? String(k / 1000) : (k / 1000).toFixed(3).replace(/0+$/, ''));

const gcLine: fc.Arbitrary<{ text: string; spec: GcSpec }> = fc
  .record({
    n: fc.integer({ min: 1, max: 1e6 }),
    form: fc.constantFrom('go1.6' as const, 'go1.6' as const, 'go1.5' as const, 'go1.4' as const),
    stacks: fc.boolean(),
    at: fc.integer({ min: 0, max: 1e7 }),
    pct: fc.integer({ min: 0, max: 100 }),
    clock: fc.array(msThousandths, { minLength: 5, maxLength: 5 }),
    cpu: fc.array(msThousandths, { minLength: 7, maxLength: 7 }),
    heap: fc.tuple(fc.nat(100000), fc.nat(100000), fc.nat(100000)),
    goal: fc.nat(100000),
    procs: fc.integer({ min: 1, max: 512 }),
    forced: fc.boolean(),
    us: fc.array(fc.nat(1e6), { minLength: 4, maxLength: 4 }),
  })
  .map((g) => {
    const heap: [number, number, number] = g.heap;
    if (g.form === 'go1.4') {
      const text = `gc${g.n}(${g.procs}): ${g.us.join('+')} us, ${heap[0]} -> ${heap[1]} MB, 18 (19-1) objects, 0/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields`;
      return { text, spec: { n: g.n, form: g.form, heap: [heap[0], heap[1], heap[1]] as [number, number, number], procs: g.procs, forced: false, firstPhaseNs: g.us[0]! * 1000 } };
    }
    const c = g.clock.map(ms);
    const u = g.cpu.map(ms);
    const clock = g.form === 'go1.6' ? `${c[0]}+${c[1]}+${c[2]}` : c.join('+');
    const cpu = g.form === 'go1.6' ? `${u[0]}+${u[1]}/${u[2]}/${u[3]}+${u[4]}` : `${u[0]}+${u[1]}+${u[2]}+${u[3]}/${u[4]}/${u[5]}+${u[6]}`;
    const extra = g.form === 'go1.6' && g.stacks ? `${g.heap[0] % 7} MB stacks, 0 MB globals, ` : '';
    const text =
      `gc ${g.n} @${(g.at / 1000).toFixed(3)}s ${g.pct}%: ${clock} ms clock, ${cpu} ms cpu, ` +
      `${heap[0]}->${heap[1]}->${heap[2]} MB, ${g.goal} MB goal, ${extra}${g.procs} P${g.forced ? ' (forced)' : ''}`;
    return { text, spec: { n: g.n, form: g.form, heap, procs: g.procs, forced: g.forced, firstPhaseNs: g.clock[0]! * 1000 } };
  });

/** Program output: letters and spaces only (never a gc, scavenger or pacer line). */
const programText = fc.array(word(1, 10), { minLength: 0, maxLength: 6 }).map((ws) => ws.join(' '));
const scavengerLine = fc.constantFrom('scvg0: inuse: 3, idle: 0, sys: 3, released: 0, consumed: 3 (MB)', 'scvg: 0 MB released', 'scav 0 KiB work, 0 KiB total, 99% util');
const pacerLine = fc.constantFrom('pacer: assist ratio=+1.239435e+000 (scan 0 MB in 3->4 MB) workers=0++2.500000e-001', 'gc assist: 12');

type GcItem = { kind: 'gc'; text: string; spec: GcSpec; glued: string } | { kind: 'other'; text: string };
export const gctrace: fc.Arbitrary<Generated<GcSpec[]>> = fc
  .tuple(
    fc.array(
      fc.oneof(
        { arbitrary: fc.tuple(gcLine, fc.oneof(fc.constant(''), programText)).map(([g, glued]): GcItem => ({ kind: 'gc', ...g, glued })), weight: 4 },
        { arbitrary: programText.map((text): GcItem => ({ kind: 'other', text })), weight: 2 },
        { arbitrary: scavengerLine.map((text): GcItem => ({ kind: 'other', text })), weight: 1 },
        { arbitrary: pacerLine.map((text): GcItem => ({ kind: 'other', text })), weight: 1 },
      ),
      { maxLength: 40 },
    ),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([items, eol, lastEol]) => {
    const lines = items.map((i) => (i.kind === 'gc' ? i.glued + i.text : i.text));
    const body = lines.join(eol) + (lastEol && lines.length > 0 ? eol : '');
    return { bytes: utf8(body), expect: items.flatMap((i) => (i.kind === 'gc' ? [i.spec] : [])) };
  });

// ---------------------------------------------------------------------------------------------
// Go escape analysis: -m, -m=2, -json

export interface EscapeSite {
  file: string;
  line: number;
  col: number;
  message: string;
  /** -m=2 explains it (a headline ending in `:` with flow lines, the summary later). */
  explained: boolean;
}

const goFile = fc.oneof(
  fc.tuple(word(1, 8)).map(([f]) => `./${f}.go`),
  fc.tuple(word(1, 6), word(1, 8)).map(([d, f]) => `${d}/${f}.go`),
  fc.tuple(word(1, 6), word(1, 8)).map(([d, f]) => `/usr/lib/go-1.19/src/${d}/${f}.go`),
);
const escapeMessage = fc.oneof(
  ident.map((x) => ({ message: `${x} escapes to heap`, explainable: true })),
  ident.map((x) => ({ message: `moved to heap: ${x}`, explainable: false })),
  ident.map((x) => ({ message: `leaking param: ${x}`, explainable: false })),
  ident.map((x) => ({ message: `leaking param content: ${x}`, explainable: false })),
  ident.map((x) => ({ message: `${x} does not escape`, explainable: false })),
  ident.map((x) => ({ message: `&${x}{} does not escape`, explainable: false })),
  ident.map((x) => ({ message: `can inline ${x}`, explainable: false })),
  ident.map((x) => ({ message: `inlining call to ${x}`, explainable: false })),
  ident.map((x) => ({ message: `make([]byte, ${x}) escapes to heap`, explainable: true })),
);

/** Sites at distinct positions (the diagnostics of one position may merge, by design). */
export const escapeSites: fc.Arbitrary<EscapeSite[]> = fc
  .uniqueArray(fc.record({ file: goFile, line: fc.integer({ min: 1, max: 99999 }), col: fc.integer({ min: 1, max: 200 }), m: escapeMessage, explain: fc.boolean() }), {
    maxLength: 40,
    selector: (s) => `${s.file}:${s.line}:${s.col}`,
  })
  .map((ss) => ss.map((s) => ({ file: s.file, line: s.line, col: s.col, message: s.m.message, explained: s.explain && s.m.explainable })));

export interface EscapeExpect {
  sites: EscapeSite[];
  packages: string[];
}

/** -m text: `# pkg` then `file:line:col: message` lines. */
export const goEscapeM: fc.Arbitrary<Generated<EscapeExpect>> = fc.tuple(escapeSites, word(1, 10)).map(([sites, pkg]) => ({
  bytes: utf8(`# example.com/${pkg}\n` + sites.map((s) => `${s.file}:${s.line}:${s.col}: ${s.message}\n`).join('')),
  expect: { sites, packages: [`example.com/${pkg}`] },
}));

/** -m=2 text of the same sites: explained ones as headline + flow, their summaries after all headlines. */
export const goEscapeM2: fc.Arbitrary<Generated<EscapeExpect>> = fc.tuple(escapeSites, word(1, 10)).map(([sites, pkg]) => {
  const head: string[] = [];
  const tail: string[] = [];
  for (const s of sites) {
    const at = `${s.file}:${s.line}:${s.col}`;
    if (s.explained) {
      const subject = s.message.replace(/ escapes to heap$/, '');
      head.push(`${at}: ${s.message}:\n`, `${at}:   flow: {heap} = &${subject}:\n`, `${at}:     from ${subject} (spill) at ${at}\n`);
      tail.push(`${at}: ${s.message}\n`);
    } else {
      head.push(`${at}: ${s.message}\n`);
    }
  }
  return { bytes: utf8(`# example.com/${pkg}\n` + head.join('') + tail.join('')), expect: { sites, packages: [`example.com/${pkg}`] } };
});

/** -json: a header line, then canInlineFunction / cannotInlineFunction diagnostics at distinct positions. */
export const goEscapeJson: fc.Arbitrary<Generated<{ count: number; goVersion: string; pkg: string }>> = fc
  .tuple(
    fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 200 }), fc.nat(200), fc.boolean()), { maxLength: 40, selector: ([l, c]) => `${l}:${c}` }),
    word(1, 8),
    fc.integer({ min: 16, max: 24 }),
  )
  .map(([ds, pkg, minor]) => {
    const goVersion = `go1.${minor}.3`;
    const header = JSON.stringify({ version: 0, package: pkg, goos: 'linux', goarch: 'amd64', gc_version: goVersion, file: `/tmp/${pkg}/main.go` });
    const lines = ds.map(([line, character, cost, can]) =>
      JSON.stringify({
        range: { start: { line, character }, end: { line, character } },
        severity: 3,
        code: can ? 'canInlineFunction' : 'cannotInlineFunction',
        source: 'go compiler',
        message: can ? `cost: ${cost}` : `function too complex: cost ${cost + 81} exceeds budget 80`,
      }),
    );
    return { bytes: utf8([header, ...lines].join('\n') + '\n'), expect: { count: ds.length, goVersion, pkg } };
  });

// ---------------------------------------------------------------------------------------------
// perf sched latency

export interface SchedRowSpec {
  comm: string;
  /** A tid, or a merged-thread count `(n)`. */
  tid?: number;
  threads?: number;
  runtimeMicros: number;
  switches: number;
  avgMicros: number;
  maxMicros: number;
  form: 'start-end' | 'max-at' | 'none';
}

const schedComm = fc
  .array(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789:._/-'), minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 })
  .map((ws) => ws.join(' ').slice(0, 15).trim())
  .filter((c) => c !== '' && c !== 'TOTAL' && c !== 'INFO' && c !== 'Task' && !/^:\d+$/.test(c) && !c.startsWith('INFO:') && !c.startsWith('TOTAL:') && !/^-{3,}$/.test(c));

const schedRow = fc.record({
  comm: schedComm,
  id: fc.oneof(fc.record({ tid: fc.integer({ min: 1, max: 4194304 }) }), fc.record({ threads: fc.integer({ min: 2, max: 999 }) })),
  runtimeMicros: fc.nat(1e9),
  switches: fc.nat(1e7),
  avgMicros: fc.nat(1e7),
  maxMicros: fc.nat(1e7),
  form: fc.constantFrom('start-end' as const, 'max-at' as const, 'none' as const),
}).map(({ id, ...r }): SchedRowSpec => ({ ...r, ...id }));

const f3 = (micros: number) => (micros / 1000).toFixed(3);
export function schedRowText(r: SchedRowSpec): string {
  const task = r.threads !== undefined ? `  ${r.comm}:(${r.threads}) ` : `  ${r.comm}:${r.tid} `;
  const base = `${task.padEnd(24)}|${f3(r.runtimeMicros).padStart(11)} ms |${String(r.switches).padStart(9)} | avg:${f3(r.avgMicros).padStart(8)} ms | max:${f3(r.maxMicros).padStart(8)} ms`;
  if (r.form === 'start-end') return `${base} | max start: ${'528.576127'.padStart(12)} s | max end: ${'528.580540'.padStart(12)} s\n`;
  if (r.form === 'max-at') return `${base} | max at: ${'234.604618'.padStart(13)} s\n`;
  return `${base}\n`;
}

export const schedLatency: fc.Arbitrary<Generated<{ rows: SchedRowSpec[]; total: { runtimeMicros: number; switches: number }; info: number }>> = fc
  .tuple(fc.array(schedRow, { maxLength: 40 }), fc.nat(1e9), fc.nat(1e7), fc.nat(3))
  .map(([rows, rt, sw, info]) => {
    const dashes = ` ${'-'.repeat(139)}\n`;
    const text =
      '\n' +
      dashes +
      '  Task                  |   Runtime ms  | Switches | Avg delay ms    | Max delay ms    | Max delay start           | Max delay end          |\n' +
      dashes +
      rows.map(schedRowText).join('') +
      ` ${'-'.repeat(113)}\n` +
      `  TOTAL:                |${f3(rt).padStart(11)} ms |${String(sw).padStart(9)} |\n` +
      ` ${'-'.repeat(51)}\n` +
      Array.from({ length: info }, (_, i) => `  INFO: ${i}.500% context switch bugs (41 out of 26)\n`).join('');
    return { bytes: utf8(text), expect: { rows, total: { runtimeMicros: rt, switches: sw }, info } };
  });

// ---------------------------------------------------------------------------------------------
// Folded stacks (what the perf script folding prints; the detector must call it folded)

export const folded: fc.Arbitrary<Generated<{ total: number; lines: number }>> = fc
  .array(fc.tuple(fc.array(fc.oneof(ident, fc.tuple(ident, ident).map(([a, b]) => `${a}.${b}`), fc.constant('[unknown]')), { minLength: 2, maxLength: 20 }), fc.integer({ min: 1, max: 1e9 })), {
    minLength: 1,
    maxLength: 50,
  })
  .map((rows) => ({
    bytes: utf8(rows.map(([frames, n]) => `${frames.join(';')} ${n}\n`).join('')),
    expect: { total: rows.reduce((a, [, n]) => a + n, 0), lines: rows.length },
  }));

// ---------------------------------------------------------------------------------------------
// manifest.json

const nonEmpty = fc.string({ minLength: 1, maxLength: 40 });
export const manifestObject = fc.record(
  {
    repo: fc.tuple(word(), word()).map(([o, r]) => `${o}/${r}`),
    branch: nonEmpty,
    commit: fc.stringMatching(/^[0-9a-f]{7,40}$/),
    goVersion: fc.integer({ min: 4, max: 24 }).map((m) => `go1.${m}`),
    binary: nonEmpty,
    labels: fc.dictionary(fc.string({ maxLength: 20 }).filter((k) => k !== '__proto__'), fc.string({ maxLength: 40 }), { maxKeys: 5 }),
    clock: fc.record({
      anchors: fc.array(fc.record({ perfSeconds: fc.double({ min: 0, max: 1e9, noNaN: true }), goSeconds: fc.double({ min: 0, max: 1e9, noNaN: true }) }), { maxLength: 5 }),
    }),
  },
  { requiredKeys: [] },
);
export const manifest: fc.Arbitrary<Generated<Record<string, unknown>>> = fc
  .tuple(manifestObject, fc.constantFrom(0, 2, '\t'))
  .map(([m, indent]) => ({ bytes: utf8(JSON.stringify(m, null, indent)), expect: JSON.parse(JSON.stringify(m)) as Record<string, unknown> }));

// ---------------------------------------------------------------------------------------------
// pprof: random profiles written with the repo's own ProtoWriter (profile.proto field numbers)

export interface ProfileSpec {
  sampleTypes: [string, string][];
  functions: { name: string; file: string }[];
  /** Each location: its function indexes (inlined lines, innermost first) and address. */
  locations: { address: bigint; lines: { fn: number; line: number }[] }[];
  samples: { locs: number[]; values: number[] }[];
  period: number;
  packed: boolean;
  gzip: boolean;
}

export const profileSpec: fc.Arbitrary<ProfileSpec> = fc
  .record({
    types: fc.array(fc.tuple(fc.constantFrom('samples', 'cpu', 'alloc_space', 'inuse_objects', 'contentions'), fc.constantFrom('count', 'nanoseconds', 'bytes')), { minLength: 1, maxLength: 4 }),
    functions: fc.array(fc.record({ name: fc.oneof(ident, fc.string({ maxLength: 30 })), file: goFile }), { minLength: 1, maxLength: 12 }),
    nLocs: fc.integer({ min: 1, max: 16 }),
    locSeeds: fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 99999 })), { maxLength: 3 })), { minLength: 16, maxLength: 16 }),
    samples: fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 10 }), fc.array(fc.integer({ min: -1e12, max: 1e12 }), { minLength: 4, maxLength: 4 })), { maxLength: 40 }),
    period: fc.nat(1e9),
    packed: fc.boolean(),
    gzip: fc.boolean(),
  })
  .map((r) => ({
    sampleTypes: r.types,
    functions: r.functions,
    locations: r.locSeeds.slice(0, r.nLocs).map(([address, ls]) => ({ address, lines: ls.map(([f, line]) => ({ fn: f % r.functions.length, line })) })),
    samples: r.samples.map(([locs, values]) => ({ locs: locs.map((l) => l % r.nLocs), values: values.slice(0, r.types.length) })),
    period: r.period,
    packed: r.packed,
    gzip: r.gzip,
  }));

/** profile.proto bytes of a spec (ids from 1; string 0 is ""). */
export function encodeProfile(p: ProfileSpec): Uint8Array {
  const strings = new Map<string, number>([['', 0]]);
  const list = [''];
  const sid = (s: string) => {
    let i = strings.get(s);
    if (i === undefined) {
      i = list.length;
      strings.set(s, i);
      list.push(s);
    }
    return i;
  };
  const w = new ProtoWriter();
  for (const [type, unit] of p.sampleTypes) w.message(1, (m) => m.varint(1, sid(type)).varint(2, sid(unit)));
  for (const s of p.samples) {
    w.message(2, (m) => {
      const ids = s.locs.map((l) => l + 1);
      if (p.packed) m.packed(1, ids).packed(2, s.values);
      else m.unpacked(1, ids).unpacked(2, s.values);
    });
  }
  p.locations.forEach((l, i) =>
    w.message(4, (m) => {
      m.varint(1, i + 1).varint(3, l.address);
      for (const line of l.lines) m.message(4, (ln) => ln.varint(1, line.fn + 1).varint(2, line.line));
    }),
  );
  p.functions.forEach((f, i) => w.message(5, (m) => m.varint(1, i + 1).varint(2, sid(f.name)).varint(3, sid(f.name)).varint(4, sid(f.file))));
  w.message(11, (m) => m.varint(1, sid('cpu')).varint(2, sid('nanoseconds')));
  w.varint(12, p.period);
  for (const s of list) w.string(6, s);
  const raw = w.finish();
  return p.gzip ? new Uint8Array(zlib.gzipSync(raw)) : raw;
}

export const pprof: fc.Arbitrary<Generated<ProfileSpec>> = profileSpec.map((p) => ({ bytes: encodeProfile(p), expect: p }));

// ---------------------------------------------------------------------------------------------
// Archives: tar (ustar), tar.gz, zip (stored and deflated), lone gzip

export interface ArchiveSpec {
  format: 'tar' | 'tar.gz' | 'zip' | 'gzip';
  entries: { name: string; content: Uint8Array }[];
}

const entryName = fc.array(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnop0123456789_-.'), minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 })
  .map((ps) => ps.join('/'))
  .filter((n) => !n.split('/').some((p) => p === '.' || p === '..'));
const entryContent = fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.string({ maxLength: 2000 }).map(utf8));

export const archiveSpec: fc.Arbitrary<ArchiveSpec> = fc.oneof(
  fc.record({
    format: fc.constantFrom('tar' as const, 'tar.gz' as const, 'zip' as const),
    entries: fc.uniqueArray(fc.record({ name: entryName, content: entryContent }), { minLength: 1, maxLength: 6, selector: (e) => e.name }),
  }),
  fc.record({ format: fc.constant('gzip' as const), entries: fc.tuple(fc.record({ name: entryName.map((n) => n.replace(/\//g, '_')), content: entryContent })) }),
) as fc.Arbitrary<ArchiveSpec>;

export function encodeArchive(a: ArchiveSpec): { bytes: Uint8Array; name: string } {
  if (a.format === 'gzip') {
    const e = a.entries[0]!;
    return { bytes: new Uint8Array(zlib.gzipSync(e.content)), name: `${e.name}.gz` };
  }
  if (a.format === 'zip') return { bytes: new Uint8Array(zipOf(a.entries.map((e, i) => ({ name: e.name, data: e.content, deflate: i % 2 === 1 })))), name: 'trace.zip' };
  const tar = tarOf(a.entries.map((e) => ({ name: e.name, data: Buffer.from(e.content) })));
  return a.format === 'tar' ? { bytes: new Uint8Array(tar), name: 'trace.tar' } : { bytes: new Uint8Array(zlib.gzipSync(tar)), name: 'trace.tar.gz' };
}
