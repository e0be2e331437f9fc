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

const samples = (p: Parsed) => p.records.filter((r): r is PerfSample => r.kind === 'sample');
const tasks = (p: Parsed) => p.records.filter((r): r is PerfTaskEvent => r.kind === 'task');
const warnings = (p: Parsed) => p.records.filter((r): r is { kind: 'warning' } & PerfWarning => r.kind === 'warning');

const FIXTURE_FILES = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).sort();

/** What each fixture shows, checked on its records (beyond the golden comparison). */
const CHECKS: Record<string, (p: Parsed) => void> = {
  'kernel-user-callchain.txt': (p) => {
    const s = samples(p);
    assert.deepEqual(new Set(s.map((x) => x.comm)), new Set(['work', 'my worker 2', 'w:[1]', '1234']));
    assert.ok(s.every((x) => x.timeNs !== undefined && x.period === 250000 && x.event === 'task-clock' && x.pid === undefined));
    const frames = s.flatMap((x) => x.frames);
    assert.ok(frames.some((f) => f.dso === '[kernel.kallsyms]' && f.address!.startsWith('ffffffff')));
    assert.ok(frames.some((f) => f.symbol === 'ns::Box<long>::spin' && f.offset !== undefined));
    assert.ok(frames.every((f) => f.address !== undefined && f.dso !== undefined));
  },
  'ns-time.txt': (p) => {
    // `w:[1] 21341  4679.384327045:` — nine decimals.
    assert.ok(samples(p).some((s) => s.timeNs! % 1000n !== 0n));
  },
  'cpp-demangled-params.txt': (p) => {
    const syms = new Set(samples(p).flatMap((s) => s.frames.map((f) => f.symbol)));
    assert.ok(syms.has('ns::Box<long>::spin(long) [clone .isra.0]'), [...syms].join('\n'));
    assert.ok(syms.has('work(int, char)') || syms.has('level1(int, int)'));
  },
  'pid-tid-cpu.txt': (p) => {
    for (const s of samples(p)) {
      assert.ok(s.pid !== undefined && s.cpu !== undefined && s.timeNs !== undefined && s.period !== undefined);
    }
    assert.ok(samples(p).some((s) => s.pid !== s.tid));
  },
  'fields-no-time-cpu-period.txt': (p) => {
    const s = samples(p);
    assert.ok(s.every((x) => x.timeNs === undefined && x.period === undefined && x.cpu === undefined));
    // `1234 21348 task-clock:` reads as comm 1234 (not tid 1234 with period 21348): other lines show no period.
    assert.ok(s.some((x) => x.comm === '1234' && x.tid > 1234));
    assert.ok(s.flatMap((x) => x.frames).every((f) => f.offset === undefined));
  },
  'fields-no-comm.txt': (p) => assert.ok(samples(p).every((s) => s.comm === '' && s.tid > 0 && s.timeNs !== undefined)),
  'fields-no-pid-tid.txt': (p) => assert.ok(samples(p).every((s) => s.comm !== '' && s.tid === -1 && s.timeNs !== undefined)),
  'header-block.txt': (p) => {
    const h = p.records.find((r) => r.kind === 'header') as PerfHeader | undefined;
    assert.ok(h);
    assert.equal(h.perfVersion, '6.1.187');
    assert.ok(h.events.length >= 1);
    assert.equal(p.records[0]!.kind, 'header');
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
    assert.ok(s.every((x) => x.frames.length === 1 && x.comm === 'work' && x.payload === '' && x.period !== undefined));
    assert.ok(s.some((x) => x.frames[0]!.offset !== undefined));
  },
  'event-modifier-user.txt': (p) => assert.ok(samples(p).every((s) => s.event === 'cpu-clock:u')),
  'event-modifier-kernel.txt': (p) => assert.ok(samples(p).every((s) => s.event === 'task-clock:k')),
  'tracepoints-callchain.txt': (p) => {
    const s = samples(p);
    assert.ok(s.every((x) => x.tracepoint !== undefined && x.frames.length > 0));
    const enter = s.find((x) => x.event === 'syscalls:sys_enter_write');
    assert.ok(enter);
    assert.match(enter.payload, /^fd: 0x[0-9a-f]+, buf: 0x[0-9a-f]+, count: 0x00000100$/);
    // Payload words never become frames.
    assert.ok(s.flatMap((x) => x.frames).every((f) => !/fd:|prev_comm|NR /.test(f.symbol)));
  },
  'tracepoints-header-line-ip.txt': (p) => {
    for (const s of samples(p)) {
      assert.equal(s.frames.length, 1, JSON.stringify(s));
      assert.ok(s.tracepoint, s.payload);
      assert.ok(!/\(\/usr|kallsyms/.test(s.payload), s.payload);
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
      assert.ok(s.frames.length > 1);
      assert.equal(s.tracepoint?.type, 'page_fault');
    }
  },
  'uprobes-callchain.txt': (p) => {
    const events = new Set(samples(p).map((s) => s.event));
    assert.deepEqual(events, new Set(['probe_work:work', 'probe_work:work__return']));
    assert.ok(samples(p).every((s) => s.tracepoint?.type === 'probe'));
  },
  'task-mmap-events.txt': (p) => {
    const kinds = new Set(tasks(p).map((t) => t.record));
    for (const k of ['COMM', 'MMAP', 'MMAP2', 'FORK', 'EXIT']) assert.ok(kinds.has(k), k);
    const exec = tasks(p).find((t) => t.record === 'COMM' && t.exec);
    assert.ok(exec);
    assert.equal(exec.newComm, 'work');
    assert.ok(tasks(p).some((t) => t.newComm === 'my worker 2'));
    assert.ok(tasks(p).some((t) => t.record === 'MMAP2' && t.mmap?.file.endsWith('/work')));
  },
  'deleted-dso.txt': (p) => {
    const frames = samples(p).flatMap((s) => s.frames);
    assert.ok(frames.some((f) => f.dso!.endsWith('/work-deleted (deleted)') && f.symbol === '[unknown]'));
  },
  'inlined.txt': (p) => {
    const frames = samples(p).flatMap((s) => s.frames);
    const inl = frames.find((f) => f.inlined);
    assert.ok(inl);
    assert.equal(inl.dso, undefined);
    assert.ok(frames.some((f) => f.symbol === 'inl_outer' && f.inlined));
  },
  'inlined-srcline.txt': (p) => {
    const frames = samples(p).flatMap((s) => s.frames);
    assert.ok(frames.every((f) => f.srcline !== undefined));
    assert.ok(frames.some((f) => f.symbol === 'inl_outer' && f.inlined && f.srcline === 'inl.c:3'));
    assert.ok(frames.some((f) => f.srcline === '??:0'));
  },
  'srcline.txt': (p) => {
    const frames = samples(p).flatMap((s) => s.frames);
    assert.ok(frames.every((f) => f.srcline !== undefined));
    assert.ok(frames.some((f) => /^work\.cpp:\d+$/.test(f.srcline!)));
    assert.ok(frames.some((f) => /^\[kernel\.kallsyms\]\[ffffffff[0-9a-f]+\]$/.test(f.srcline!)));
  },
  'java-perf-map.txt': (p) => {
    const frames = samples(p).flatMap((s) => s.frames);
    assert.ok(frames.some((f) => f.symbol === 'StubRoutines (1)' && f.offset === '0xc9' && /^\/tmp\/perf-\d+\.map$/.test(f.dso!)));
    assert.ok(frames.some((f) => f.symbol === 'long Hot.loop(Hot$Op, int)'));
  },
  'rust-trait-impl.txt': (p) => {
    const frames = samples(p).flatMap((s) => s.frames);
    assert.ok(frames.some((f) => f.symbol === '<tr::Sq as tr::Shape>::area'));
  },
  'lost-events-perf-warning.txt': (p) => {
    const w = warnings(p);
    assert.ok(w.length > 2 && w.every((x) => x.fromPerf === true && x.lost! > 0));
    assert.ok(w.some((x) => x.message.startsWith('Processed ')));
    assert.equal(tasks(p).filter((t) => t.record === 'LOST').length, w.length - 1);
  },
};

describe('perf script sample-formats fixtures', () => {
  test('every fixture has checks and a golden file', () => {
    assert.deepEqual(FIXTURE_FILES, Object.keys(CHECKS).sort());
  });

  for (const name of FIXTURE_FILES) {
    test(name, () => {
      const bytes = readFileSync(join(FIXTURES, name));
      const whole = parse(bytes);
      const golden = join(FIXTURES, name.replace(/\.txt$/, '.expected.jsonl'));
      const got = jsonl(whole.records);
      if (UPDATE) writeFileSync(golden, got);
      assert.equal(got, readFileSync(golden, 'utf8'), `${name}: records differ from ${golden} (UPDATE_GOLDEN=1 rewrites it)`);
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
      assert.ok(parse(bytes).records.filter((r) => r.kind === 'warning' && !r.fromPerf).length === 0, whole);
    });
  }
});

describe('FlameGraph corpus (read in place)', { skip: NO_CORPUS }, () => {
  const files = NO_CORPUS ? [] : readdirSync(CORPUS).filter((f) => f.endsWith('.txt') || f.endsWith('.txt.gz')).sort();

  test('every file parses without warnings, the same in chunks', () => {
    assert.ok(files.length >= 14, files.join(' '));
    for (const name of files) {
      let bytes: Uint8Array = readFileSync(join(CORPUS, name));
      if (name.endsWith('.gz')) bytes = gunzipSync(bytes);
      const whole = parse(bytes);
      assert.equal(whole.stats.warnings, 0, `${name}: ${JSON.stringify(warnings(whole).slice(0, 3))}`);
      assert.ok(whole.stats.samples > 0, name);
      assert.ok(samples(whole).every((s) => s.frames.length > 0), name);
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

  test('no warnings; counts', () => {
    assert.equal(p.stats.warnings, 0);
    assert.equal(p.stats.bytes, bytes.length);
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
    assert.equal(enter.length, 20002);
    assert.equal(exit.length, 20002);
    // `mapstress  6341 [000]   528.256948: syscalls:sys_enter_bpf: cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048`
    const e = enter[0]!;
    assert.deepEqual([e.cpu, e.timeNs, e.payload], [0, 528256948000n, 'cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048']);
    assert.equal(e.tracepoint?.type, 'sys_enter');
    assert.equal(e.frames[0]!.symbol, 'runtime/internal/syscall.Syscall6');
    assert.ok(enter.every((s) => s.tracepoint?.type === 'sys_enter' && s.frames.length > 0));
    assert.ok(exit.every((s) => s.tracepoint?.type === 'sys_exit'));
    assert.ok(samples(p).every((s) => s.frames.every((f) => f.address !== undefined && f.dso !== undefined)));
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
