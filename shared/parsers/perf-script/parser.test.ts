// The perf script parser over real recordings: the sample-formats fixtures (each against its golden
// records, UPDATE_GOLDEN=1 rewrites them), the FlameGraph corpus read in place, the mapstress sample;
// every input re-parsed in small chunks must give the same records.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { PerfHeader, PerfSample, PerfTaskEvent, PerfWarning } from '../../model/perf.js';
import { fromBuffer } from '../bytes.js';
import { parsePerfScript, PerfScriptParser, type PerfScriptOptions, type PerfScriptStats } from './index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/perf-script/sample-formats');
const OTHER_FIXTURES = join(ROOT, 'test/fixtures/perf-script');
const CORPUS = join(ROOT, '../shared/corpus/flamegraph-perf');
const MAPSTRESS = join(ROOT, 'test/fixtures/samples/mapstress-boxed/perf.script.txt.gz');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const NO_CORPUS = !existsSync(CORPUS) && `the FlameGraph corpus is not there (${CORPUS})`;

type Rec = PerfSample | PerfTaskEvent | ({ kind: 'header' } & PerfHeader) | ({ kind: 'warning' } & PerfWarning);

interface Parsed {
  records: Rec[];
  stats: PerfScriptStats;
}

/** Parses `bytes` pushed in chunks of `chunk` bytes (whole when undefined). */
function parse(bytes: Uint8Array, chunk?: number, opts: Partial<PerfScriptOptions> = {}): Parsed {
  const records: Rec[] = [];
  const p = new PerfScriptParser(
    {
      sample: (s) => records.push(s),
      task: (t) => records.push(t),
      header: (h) => records.push({ kind: 'header', ...h }),
      warning: (w) => records.push({ kind: 'warning', ...w }),
    },
    { file: 'test', ...opts },
  );
  const size = chunk ?? Math.max(1, bytes.length);
  for (let at = 0; at < bytes.length; at += size) p.push(bytes.subarray(at, Math.min(at + size, bytes.length)));
  return { records, stats: p.end() };
}

const KEY_ORDER = ['kind', 'line', 'comm', 'pid', 'tid', 'cpu', 'timeNs', 'period', 'event', 'record', 'payload', 'detail', 'unclosed', 'message', 'lost', 'fromPerf', 'tracepoint', 'address', 'symbol', 'offset', 'dso', 'inlined', 'srcline', 'frames'];

/** One record per line, keys in a fixed order, bigints as `123n`. */
function jsonl(records: readonly Rec[]): string {
  return records.map((r) => JSON.stringify(canonical(r))).join('\n') + '\n';
}

/** The fields the other decoders fill (tracepoints.ts, task-events.ts): checked there, not in our goldens. */
const TASK_OWN = new Set(['kind', 'line', 'comm', 'pid', 'tid', 'cpu', 'timeNs', 'record', 'detail']);

/** The golden form: what this parser itself reads from each line. */
function golden(records: readonly Rec[]): string {
  return jsonl(
    records.map((r) => {
      if (r.kind === 'sample') {
        const { tracepoint: _, ...own } = r;
        return own;
      }
      if (r.kind === 'task') return Object.fromEntries(Object.entries(r).filter(([k]) => TASK_OWN.has(k))) as PerfTaskEvent;
      return r;
    }),
  );
}

function canonical(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, canonical(o[k])]));
}

function rank(k: string): number {
  const i = KEY_ORDER.indexOf(k);
  return i < 0 ? KEY_ORDER.length : i;
}

/** assert.ok with a fixed message: without one, node re-reads the source to make one (slowly, under tsx). */
function ok(value: unknown, message = 'expected a truthy value'): asserts value {
  assert.ok(value, message);
}

const samples = (p: Parsed) => p.records.filter((r): r is PerfSample => r.kind === 'sample');
const tasks = (p: Parsed) => p.records.filter((r): r is PerfTaskEvent => r.kind === 'task');
const events = (p: Parsed) => [...new Set(samples(p).map((s) => s.event))].sort();
const warnings = (p: Parsed) => p.records.filter((r): r is { kind: 'warning' } & PerfWarning => r.kind === 'warning');

const FIXTURE_FILES = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).sort();

const allFrames = (p: Parsed) => samples(p).flatMap((s) => s.frames);

/** What each fixture shows, checked on its records (beyond the golden comparison). */
const CHECKS: Record<string, (p: Parsed) => void> = {
  'kernel-user-callchain.txt': (p) => {
    const s = samples(p);
    assert.deepEqual(new Set(s.map((x) => x.comm)), new Set(['work', 'my worker 2', 'w:[1]', '1234']));
    ok(s.every((x) => x.timeNs !== undefined && x.period === 250000 && x.event === 'task-clock' && x.pid === undefined), 'tid, time, period');
    const frames = allFrames(p);
    ok(frames.some((f) => f.dso === '[kernel.kallsyms]' && f.address!.startsWith('ffffffff')), 'kernel frames');
    ok(frames.some((f) => f.symbol === 'thread_main' && f.offset !== undefined), 'thread_main+0x..');
    ok(frames.every((f) => f.address !== undefined && f.dso !== undefined), 'address and dso on every frame');
  },
  // `w:[1] 21341  4679.384327045:`
  'ns-time.txt': (p) => ok(samples(p).some((s) => s.timeNs! % 1000n !== 0n), 'nanoseconds kept'),
  'cpp-demangled-params.txt': (p) => {
    const syms = new Set(allFrames(p).map((f) => f.symbol));
    ok(syms.has('thread_main(void*)') && syms.has('level1(int, int)'), [...syms].join('\n'));
  },
  'pid-tid-cpu.txt': (p) => {
    const s = samples(p);
    ok(s.every((x) => x.pid !== undefined && x.cpu !== undefined && x.timeNs !== undefined && x.period !== undefined), 'all fields');
    ok(s.some((x) => x.pid !== x.tid), 'threads other than the main one');
  },
  'fields-no-time-cpu-period.txt': (p) => {
    const s = samples(p);
    ok(s.every((x) => x.timeNs === undefined && x.period === undefined && x.cpu === undefined), 'no time, period, cpu');
    // `1234 21348 task-clock:` is comm 1234 (not tid 1234 with period 21348): earlier lines showed no period.
    ok(s.some((x) => x.comm === '1234' && x.tid > 1234), 'comm 1234');
    ok(allFrames(p).every((f) => f.offset === undefined), 'no offsets without symoff');
  },
  'fields-no-comm.txt': (p) => ok(samples(p).every((s) => s.comm === '' && s.tid > 0 && s.timeNs !== undefined), 'tid and time, no comm'),
  'fields-no-pid-tid.txt': (p) => {
    ok(samples(p).every((s) => s.comm !== '' && s.tid === -1 && s.timeNs !== undefined), 'comm and time, no tid');
    // `1234  6581.970127: task-clock:` is comm 1234 (not tid 1234): earlier lines showed no pid/tid.
    assert.deepEqual(new Set(samples(p).map((s) => s.comm)), new Set(['work', 'my worker 2', 'w:[1]', '1234']));
  },
  'header-block.txt': (p) => {
    const h = p.records[0] as { kind: 'header' } & PerfHeader;
    assert.equal(h.kind, 'header');
    assert.equal(h.perfVersion, '6.1.187');
    ok(h.events.length >= 1, 'event descriptions');
    assert.equal(p.records.filter((r) => r.kind === 'header').length, 1);
  },
  'header-line-stacks.txt': (p) => {
    for (const s of samples(p)) {
      assert.equal(s.frames.length, 1);
      assert.equal(s.payload, '');
      assert.equal(s.unclosed, p.records.at(-1) === s ? 'eof' : 'next');
    }
  },
  'no-callchain-default.txt': (p) => {
    const s = samples(p);
    ok(s.every((x) => x.frames.length === 1 && x.payload === '' && x.period !== undefined && x.unclosed !== undefined), 'one frame each');
    assert.deepEqual(new Set(s.map((x) => x.comm)), new Set(['work', 'my worker 2', 'w:[1]', '1234']));
    ok(s.every((x) => x.frames[0]!.offset !== undefined), 'offsets');
  },
  // `cycles:u` falls back to cpu-clock on this PMU-less VM: `work 28818  5106.052372:     250000 cpu-clock:uH: `
  'event-modifier-user.txt': (p) => assert.deepEqual(events(p), ['cpu-clock:uH']),
  'event-modifier-kernel.txt': (p) => assert.deepEqual(events(p), ['task-clock:k']),
  'tracepoints-callchain.txt': (p) => {
    const s = samples(p);
    ok(s.every((x) => x.tracepoint !== undefined && x.frames.length > 0), 'parsed payload and a call graph');
    for (const e of ['raw_syscalls:sys_exit', 'sched:sched_switch', 'syscalls:sys_enter_write', 'syscalls:sys_exit_write']) ok(events(p).includes(e), e);
    const enter = s.find((x) => x.event === 'syscalls:sys_enter_write')!;
    assert.match(enter.payload, /^fd: 0x[0-9a-f]+, buf: 0x[0-9a-f]+, count: 0x00000100$/);
    ok(allFrames(p).every((f) => !/fd:|prev_comm|NR /.test(f.symbol)), 'payload words never become frames');
  },
  'tracepoints-header-line-ip.txt': (p) => {
    for (const s of samples(p)) {
      assert.equal(s.frames.length, 1, jsonl([s]));
      ok(s.tracepoint, s.payload);
      ok(!/\(\/usr|kallsyms/.test(s.payload), s.payload);
    }
  },
  'page-faults-addr-header-line.txt': (p) => {
    for (const s of samples(p)) {
      assert.equal(s.frames.length, 1);
      assert.equal(s.tracepoint?.type, 'page_fault');
      assert.equal((s.tracepoint as { addr: bigint }).addr, BigInt(`0x${s.payload.split(' ')[0]}`));
    }
  },
  'page-faults-addr-callchain.txt': (p) => {
    for (const s of samples(p)) {
      ok(s.frames.length >= 1 && s.payload !== '', 'a call graph and the data address');
      assert.equal(s.tracepoint?.type, 'page_fault');
    }
  },
  'uprobes-callchain.txt': (p) => {
    assert.deepEqual(events(p), ['probe_work:work', 'probe_work:work__return']);
    ok(samples(p).every((s) => s.tracepoint?.type === 'probe'), 'probe payloads');
  },
  'task-mmap-events.txt': (p) => {
    const t = tasks(p);
    for (const k of ['COMM', 'MMAP', 'MMAP2', 'FORK', 'EXIT']) ok(t.some((x) => x.record === k), k);
    const exec = t.find((x) => x.record === 'COMM' && x.exec);
    assert.equal(exec?.newComm, 'work');
    ok(t.some((x) => x.newComm === 'my worker 2'), 'COMM of `my worker 2`');
    ok(t.some((x) => x.record === 'MMAP2' && x.mmap?.file.endsWith('/work')), 'MMAP2 of the program');
    ok(samples(p).length > 0, 'samples between the records');
  },
  'deleted-dso.txt': (p) => ok(allFrames(p).some((f) => f.dso!.endsWith('/work-deleted (deleted)') && f.symbol === '[unknown]'), '(deleted)'),
  'inlined.txt': (p) => {
    const inl = allFrames(p).filter((f) => f.inlined);
    ok(inl.length > 0 && inl.every((f) => f.dso === undefined && f.address !== undefined), 'inlined frames, no dso');
    ok(inl.some((f) => f.symbol === 'inl_outer'), 'inl_outer');
  },
  'inlined-srcline.txt': (p) => {
    const frames = allFrames(p);
    ok(frames.every((f) => f.srcline !== undefined), 'a srcline on every frame');
    ok(frames.some((f) => f.symbol === 'inl_outer' && f.inlined && /^inl\.c:\d+$/.test(f.srcline!)), 'inlined, with its srcline');
    ok(frames.some((f) => f.srcline === '??:0'), '??:0');
  },
  'srcline.txt': (p) => {
    const frames = allFrames(p);
    // perf prints none under `[unknown] ([unknown])` frames (no map to look the address up in).
    ok(frames.every((f) => (f.srcline !== undefined) === (f.dso !== '[unknown]')), 'a srcline under every resolved frame');
    ok(frames.some((f) => /^work\.cpp:\d+$/.test(f.srcline!)), 'work.cpp:N');
    ok(frames.some((f) => /^\[kernel\.kallsyms\]\[ffffffff[0-9a-f]+\]$/.test(f.srcline!)), 'kernel srcline');
  },
  'java-perf-map.txt': (p) => {
    const frames = allFrames(p);
    ok(frames.some((f) => f.symbol === 'StubRoutines (1)' && /^0x[0-9a-f]+$/.test(f.offset!) && /^\/tmp\/perf-\d+\.map$/.test(f.dso!)), 'StubRoutines (1)');
    ok(frames.some((f) => f.symbol === 'long Hot.loop(Hot$Op, int)'), 'long Hot.loop(Hot$Op, int)');
  },
  'rust-trait-impl.txt': (p) => ok(allFrames(p).some((f) => f.symbol === '<tr::Sq as tr::Shape>::area'), '<tr::Sq as tr::Shape>::area'),
  'lost-events-perf-warning.txt': (p) => {
    const w = warnings(p);
    ok(w.length > 2 && w.every((x) => x.fromPerf === true && x.lost! > 0), 'perf warnings with counts');
    ok(w.some((x) => x.message.startsWith('Processed ')), 'Processed ... lost');
    assert.equal(tasks(p).filter((t) => t.record === 'LOST').length, w.length - 1);
  },
};

describe('perf script sample-formats fixtures', () => {
  test('every fixture has checks and a golden file', () => {
    assert.deepEqual(FIXTURE_FILES, Object.keys(CHECKS).sort());
    for (const name of FIXTURE_FILES) ok(existsSync(join(FIXTURES, name.replace(/\.txt$/, '.expected.jsonl'))) || UPDATE, name);
  });

  for (const name of FIXTURE_FILES) {
    test(name, () => {
      const bytes = readFileSync(join(FIXTURES, name));
      const whole = parse(bytes);
      const expected = join(FIXTURES, name.replace(/\.txt$/, '.expected.jsonl'));
      if (UPDATE) writeFileSync(expected, golden(whole.records));
      assert.equal(golden(whole.records), readFileSync(expected, 'utf8'), `${name}: records differ from ${expected} (UPDATE_GOLDEN=1 rewrites it)`);
      const got = jsonl(whole.records);
      if (name !== 'lost-events-perf-warning.txt') assert.equal(whole.stats.warnings, 0, got);
      assert.equal(whole.stats.bytes, bytes.length);
      assert.equal(whole.stats.lines, bytes.toString('utf8').split('\n').length - (bytes.at(-1) === 0x0a ? 1 : 0));
      assert.equal(whole.stats.samples, samples(whole).length);
      CHECKS[name]!(whole);
      for (const chunk of [1, 3, 64, 4096]) {
        assert.equal(jsonl(parse(bytes, chunk).records), got, `${name} in chunks of ${chunk}`);
      }
    });
  }
});

describe('perf script fixtures of the tracepoint/task/header/warning decoders', () => {
  const dirs = ['tracepoints', 'task-events', 'header', 'warnings'].map((d) => join(OTHER_FIXTURES, d)).filter((d) => existsSync(d));
  const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.txt')).map((f) => join(d, f)));
  for (const file of files) {
    test(file.slice(OTHER_FIXTURES.length + 1), () => {
      const bytes = readFileSync(file);
      const whole = jsonl(parse(bytes).records);
      for (const chunk of [1, 7, 4096]) assert.equal(jsonl(parse(bytes, chunk).records), whole, `chunks of ${chunk}`);
      ok(parse(bytes).records.filter((r) => r.kind === 'warning' && !r.fromPerf).length === 0, whole);
    });
  }
});

describe('FlameGraph corpus (read in place)', { skip: NO_CORPUS }, () => {
  const files = NO_CORPUS ? [] : readdirSync(CORPUS).filter((f) => f.endsWith('.txt') || f.endsWith('.txt.gz')).sort();

  test('every file parses without warnings, the same in chunks', () => {
    ok(files.length >= 14, files.join(' '));
    for (const name of files) {
      let bytes: Uint8Array = readFileSync(join(CORPUS, name));
      if (name.endsWith('.gz')) bytes = gunzipSync(bytes);
      const whole = parse(bytes);
      assert.equal(whole.stats.warnings, 0, `${name}: ${JSON.stringify(warnings(whole).slice(0, 3))}`);
      ok(whole.stats.samples > 0, name);
      ok(samples(whole).every((s) => s.frames.length > 0), name);
      const got = jsonl(whole.records);
      for (const chunk of [7, 4096]) assert.equal(jsonl(parse(bytes, chunk).records), got, `${name} in chunks of ${chunk}`);
    }
  });

  const first = (name: string) => samples(parse(readFileSync(join(CORPUS, name))))[0]!;

  test('pid/tid and [cpu]: perf-iperf-stacks-pidtid-01', () => {
    // `iperf 27409/28744 [000] 441995.133575: cpu-clock: `
    const s = first('perf-iperf-stacks-pidtid-01.txt');
    assert.deepEqual([s.comm, s.pid, s.tid, s.cpu, s.timeNs, s.event], ['iperf', 27409, 28744, 0, 441995133575000n, 'cpu-clock']);
    // `\t          59fef5 copy_user_enhanced_fast_string (/lib/modules/4.3.0-rc1-virtual/build/vmlinux)`
    assert.deepEqual(s.frames[0], { address: '59fef5', symbol: 'copy_user_enhanced_fast_string', dso: '/lib/modules/4.3.0-rc1-virtual/build/vmlinux' });
  });

  test('no time: perf-vertx-stacks-01 (`java  3244 cpu-clock: `)', () => {
    const s = first('perf-vertx-stacks-01.txt');
    assert.deepEqual([s.comm, s.pid, s.tid, s.timeNs, s.period, s.event], ['java', undefined, 3244, undefined, undefined, 'cpu-clock']);
    assert.equal(s.frames[0]!.symbol, 'SpinPause');
  });

  test('frames without indent: perf-java-stacks-02', () => {
    const p = parse(readFileSync(join(CORPUS, 'perf-java-stacks-02.txt')));
    const s = samples(p);
    assert.equal(s.length, 2);
    assert.deepEqual([s[0]!.comm, s[0]!.tid, s[0]!.event, s[0]!.frames.length], ['java', 19983, 'cycles', 24]);
    assert.deepEqual(s[0]!.frames[12], { address: '7f7241fbe6d8', symbol: 'arrayOopDesc::base(BasicType) const', dso: '/home/xguan/opt/jdk1.8.0_112/jre/lib/amd64/server/libjvm.so' });
  });

  test('perf 3.x frames indented with spaces, JIT maps: perf-js-stacks-01', () => {
    const s = first('perf-js-stacks-01.txt');
    assert.deepEqual(s.frames[0], { address: '13a80b608e0a', symbol: 'RegExp:[&<>\\"\\\']', dso: '/tmp/perf-7539.map' });
    assert.equal(s.frames[1]!.symbol, 'LazyCompile:~body_0 evalmachine.<anonymous>:1');
  });

  test('event modifiers: perf-rust-Yamakaky-dcpu (`cycles:u:`)', () => {
    const s = first('perf-rust-Yamakaky-dcpu.txt');
    assert.deepEqual([s.comm, s.tid, s.timeNs, s.period, s.event], ['emulator', 4152, 75695008865000n, 1, 'cycles:u']);
  });

  test('an uptime of 88 days and the header block: example-perf-stacks.txt.gz', () => {
    const p = parse(gunzipSync(readFileSync(join(CORPUS, 'example-perf-stacks.txt.gz'))));
    const h = p.records[0] as { kind: 'header' } & PerfHeader;
    assert.equal(h.kind, 'header');
    assert.equal(h.perfVersion, '3.13.11-ckt12');
    // `perf   977/977   [000] 7628263.042515: cycles: `
    const s = samples(p)[0]!;
    assert.deepEqual([s.comm, s.pid, s.tid, s.cpu, s.timeNs, s.event], ['perf', 977, 977, 0, 7628263042515000n, 'cycles']);
  });
});

describe('mapstress boxed sample (30 MB)', () => {
  const bytes = gunzipSync(readFileSync(MAPSTRESS));
  const p = parse(bytes, 65536);
  const text = bytes.toString('latin1');
  /** Occurrences of `needle` in the file, counted independently of the parser. */
  const count = (needle: string) => text.split(needle).length - 1;

  test('no warnings; counts', () => {
    assert.equal(p.stats.warnings, 0);
    assert.equal(p.stats.bytes, bytes.length);
    assert.ok(text.endsWith('\n'));
    assert.equal(p.stats.lines, count('\n'));
    assert.equal(p.stats.lines, 436120);
    assert.equal(p.stats.samples, 42295);
    assert.equal(p.stats.taskEvents, 11);
  });

  test('the first sample', () => {
    const s = samples(p)[0]!;
    assert.deepEqual(
      [s.line, s.comm, s.pid, s.tid, s.cpu, s.timeNs, s.period, s.event, s.payload, s.frames.length],
      [3, 'mapstress', undefined, 6341, undefined, 528254236000n, 250000, 'task-clock', '', 12],
    );
    assert.deepEqual(s.frames[0], { address: 'ffffffff82256067', symbol: 'clear_page_erms', offset: '0x7', dso: '[kernel.kallsyms]' });
    assert.deepEqual(s.frames[11], { address: '612dc', symbol: 'runtime.rt0_go.abi0', offset: '0x11c', dso: '/go/src/mapstress/mapstress' });
  });

  test('bpf tracepoints are parsed, not taken for frames', () => {
    const enter = samples(p).filter((s) => s.event === 'syscalls:sys_enter_bpf');
    const exit = samples(p).filter((s) => s.event === 'syscalls:sys_exit_bpf');
    assert.equal(enter.length, count(' syscalls:sys_enter_bpf: '));
    assert.equal(exit.length, count(' syscalls:sys_exit_bpf: '));
    assert.equal(enter.length, 20002);
    // `mapstress  6341 [000]   528.256948: syscalls:sys_enter_bpf: cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048`
    const e = enter[0]!;
    assert.deepEqual([e.cpu, e.timeNs, e.payload], [0, 528256948000n, 'cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048']);
    assert.equal(e.tracepoint?.type, 'sys_enter');
    assert.equal(e.frames[0]!.symbol, 'runtime/internal/syscall.Syscall6');
    ok(enter.every((s) => s.tracepoint?.type === 'sys_enter' && s.frames.length > 0), 'sys_enter_bpf parsed, with stacks');
    ok(exit.every((s) => s.tracepoint?.type === 'sys_exit'), 'sys_exit_bpf parsed');
    ok(samples(p).every((s) => s.frames.every((f) => f.address !== undefined && f.dso !== undefined)), 'frames have address and dso');
  });

  test('task events', () => {
    const t = tasks(p);
    assert.deepEqual(t.map((x) => x.record), ['COMM', 'COMM', 'FORK', 'FORK', 'FORK', 'FORK', 'EXIT', 'EXIT', 'EXIT', 'EXIT', 'EXIT']);
    assert.deepEqual([t[1]!.comm, t[1]!.tid, t[1]!.timeNs, t[1]!.detail, t[1]!.exec], ['mapstress', 6341, 528253990000n, 'exec: mapstress:6341/6341', true]);
  });

  test('the same records in other chunk sizes', () => {
    const digest = (q: Parsed) => createHash('sha256').update(jsonl(q.records)).digest('hex');
    const want = digest(p);
    for (const chunk of [1000, 4096, 1 << 20]) assert.equal(digest(parse(bytes, chunk)), want, `chunks of ${chunk}`);
  });
});

describe('parsePerfScript over a ByteSource', () => {
  test('gives what the push parser gives', async () => {
    const bytes = readFileSync(join(FIXTURES, 'tracepoints-callchain.txt'));
    const records: Rec[] = [];
    const stats = await parsePerfScript(fromBuffer(bytes, 5), { sample: (s) => records.push(s) }, { file: 'x' });
    const direct = parse(bytes);
    assert.deepEqual(stats, direct.stats);
    assert.equal(jsonl(records), jsonl(samples(direct)));
  });
});
