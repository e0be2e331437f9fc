import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import type { InputKind } from '../model/report.js';
import { DETECT_HEAD_BYTES, detectKind } from './detect.js';
import { isPprof } from './detect-pprof.js';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url);
const CORPUS = new URL('../../../shared/corpus/flamegraph-perf/', import.meta.url);

/** Decoded content of a file (gunzipped when it is gzip), as the analyzer hands it to detectKind. */
function decoded(url: URL): Buffer {
  const raw = readFileSync(url);
  return raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
}

/** What the caller does: the first DETECT_HEAD_BYTES, eof when that is everything. */
function detect(content: Uint8Array, name: string): InputKind | undefined {
  const head = content.subarray(0, DETECT_HEAD_BYTES);
  return detectKind(head, { name, eof: content.length <= DETECT_HEAD_BYTES });
}

/** Every prefix a streaming caller could pass must say "need more" or the final answer, never another kind. */
function assertPrefixesAgree(content: Uint8Array, name: string, kind: InputKind): void {
  const steps = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000];
  for (const n of steps.filter((s) => s < Math.min(content.length, DETECT_HEAD_BYTES))) {
    const got = detectKind(content.subarray(0, n), { name, eof: false });
    assert.ok(got === undefined || got === kind, `${name}: first ${n} bytes detected as ${got}, whole as ${kind}`);
  }
}

const SAMPLES: Record<string, InputKind> = {
  'perf.script.txt.gz': 'perf-script',
  'heap.pb.gz': 'pprof',
  'cpu.pb.gz': 'pprof',
  'escape.txt': 'go-escape',
  'escape-m2.txt': 'go-escape',
  'gctrace.txt': 'gctrace',
  'sched-latency.txt': 'perf-sched-latency',
};

describe('detectKind over real files', () => {
  for (const [file, kind] of Object.entries(SAMPLES)) {
    it(`samples/mapstress-boxed/${file} is ${kind}`, () => {
      const content = decoded(new URL(`samples/mapstress-boxed/${file}`, FIXTURES));
      assert.equal(detect(content, file.replace(/\.gz$/, '')), kind);
      assertPrefixesAgree(content, file, kind);
    });
  }

  for (const kind of readdirSync(new URL('detect/', FIXTURES), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(new URL(`detect/${kind.name}/`, FIXTURES))) {
      it(`detect/${kind.name}/${file}`, () => {
        const content = decoded(new URL(`detect/${kind.name}/${file}`, FIXTURES));
        assert.equal(detect(content, file), kind.name);
        assertPrefixesAgree(content, file, kind.name as InputKind);
      });
    }
  }

  // FlameGraph's perf script corpus and the folded stacks stackcollapse-perf.pl made of it (read in place).
  // The corpus is not ours and never copied into the repository; a clone outside the workspace lacks it.
  const corpusHere = existsSync(CORPUS);
  const noCorpus = corpusHere ? false : '../shared/corpus is not next to this checkout';
  const corpus = corpusHere ? readdirSync(CORPUS).filter((f) => f.startsWith('perf-') || f.endsWith('.gz')) : [];
  it('the FlameGraph perf script corpus is perf-script', { skip: noCorpus }, () => {
    assert.ok(corpus.length >= 13);
    for (const file of corpus) {
      const content = decoded(new URL(file, CORPUS));
      assert.equal(detect(content, file), 'perf-script', file);
      assertPrefixesAgree(content, file, 'perf-script');
    }
  });
  it('the FlameGraph collapsed results are folded', { skip: noCorpus }, () => {
    const results = readdirSync(new URL('results/', CORPUS));
    assert.ok(results.length >= 70);
    for (const file of results) {
      const content = decoded(new URL(`results/${file}`, CORPUS));
      assert.equal(detect(content, file), 'folded', file);
      assertPrefixesAgree(content, file, 'folded');
    }
  });
});

/** Rules on the line forms each format's documentation shows (a file per form would be a line each). */
const FORMS: Array<[InputKind, string, string]> = [
  // perf script with perf's lost-chunks warning first (stderr redirected into the file too)
  [
    'perf-script',
    'perf-with-warning.txt',
    'Warning:\nProcessed 1131 events and lost 3 chunks!\n\nCheck IO/CPU overload!\n\n' +
      'mapstress  6341   528.254236:     250000             task-clock: \n\tffffffff82256067 clear_page_erms+0x7 ([kernel.kallsyms])\n\n',
  ],
  // gctrace: Go 1.5's five phases, Go 1.4's form, the scavenger, a forced cycle among program output
  ['gctrace', 'go1.5', 'gc 1 @0.011s 2%: 0.040+0.89+0.005+0.48+0.062 ms clock, 0.12+0.89+0+0.69/0.002/0.26+0.18 ms cpu, 4->4->3 MB, 4 MB goal, 4 P\n'],
  ['gctrace', 'go1.4', 'gc1(1): 1+0+83+0 us, 0 -> 0 MB, 18 (19-1) objects, 0/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields\n'],
  ['gctrace', 'scvg', 'scvg0: inuse: 4, idle: 58, sys: 63, released: 57, consumed: 5 (MB)\n'],
  [
    'gctrace',
    'mixed',
    'starting 4 workers\nworker 1: 1000 updates\n2024/05/01 12:00:00 listening on :8080\nworker 2: 1000 updates\n' +
      'gc 9 @0.334s 0%: 0.056+0.64+0.004 ms clock, 0.11+0/0.17/0.59+0.008 ms cpu, 2->2->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)\nworst put: 4.2ms\n',
  ],
  // go-escape: absolute and sub-directory paths, package headers, the -json=0,DIR files
  ['go-escape', 'abs', '# github.com/acme/mapstress/internal/bpf\n/src/internal/bpf/map.go:41:17: leaking param content: kv\n'],
  ['go-escape', 'subdir', '# mapstress/sub\nsub/x.go:12:9: &Event{...} escapes to heap\nsub/x.go:20:2: moved to heap: buf\n'],
  [
    'go-escape',
    'main.json',
    '{"version":0,"package":"main","goos":"linux","goarch":"amd64","gc_version":"go1.19","file":"/go/src/mapstress/main.go"}\n' +
      '{"range":{"start":{"line":23,"character":31},"end":{"line":23,"character":31}},"severity":3,"code":"escape","source":"go compiler","message":"map[string]interface {}{...} escapes to heap"}\n',
  ],
  // perf sched latency, older perf's header
  ['perf-sched-latency', 'old', '\n ---------------------------------------------------------------------------------------------------------------\n  Task                  |   Runtime ms  | Switches | Average delay ms | Maximum delay ms | Maximum delay at       |\n'],
  // folded: a name breaks the tie for single-frame stacks
  ['folded', 'stacks.folded', 'main 12\nidle 3\n'],
  ['unknown', 'stacks.txt', 'main 12\nidle 3\n'],
  ['folded', 'crlf', 'mapstress;main.main;main.boxed 12\r\nmapstress;runtime.mallocgc 3\r\n'],
  // manifest: by its keys, or by its name for an object without them
  ['manifest', 'run.json', '{"repo": "acme/mapstress", "commit": "9f1c2e4"}'],
  ['manifest', 'manifest.json', '{}'],
  ['unknown', 'data.json', '{"rows": [1, 2, 3]}'],
  // unknown: empty, plain text, invalid UTF-8, JSON arrays
  ['unknown', 'empty', ''],
  ['unknown', 'README', 'This archive holds the traces of run 4711.\nSee the wiki.\n'],
  ['unknown', 'latin1.txt', 'caf\xe9\n'],
];

describe('detectKind rules', () => {
  for (const [kind, name, text] of FORMS) {
    it(`${name} is ${kind}`, () => {
      const bytes = name === 'latin1.txt' ? Buffer.from(text, 'latin1') : Buffer.from(text);
      assert.equal(detectKind(bytes, { name, eof: true }), kind);
    });
  }

  it('needs more bytes only while the head is short and more may follow', () => {
    const gctrace = Buffer.from('program output before the first cycle\n'.repeat(100));
    assert.equal(detectKind(gctrace, { name: 'stderr.txt', eof: false }), undefined);
    assert.equal(detectKind(gctrace, { name: 'stderr.txt', eof: true }), 'unknown');
    const full = Buffer.from('x'.repeat(79) + '\n').subarray(0, 80);
    assert.equal(detectKind(Buffer.concat(Array(Math.ceil(DETECT_HEAD_BYTES / 80) + 1).fill(full)), { name: 'a', eof: false }), 'unknown');
    assert.equal(detectKind(new Uint8Array(0), { name: 'a', eof: false }), undefined);
  });

  it('random bytes are never pprof (nor anything else)', () => {
    let x = 12345;
    const next = () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x & 0xff;
    };
    for (let i = 0; i < 2000; i++) {
      const noise = Uint8Array.from({ length: i % 2 ? 4096 : 64 }, next);
      assert.equal(detectKind(noise, { name: 'noise.bin', eof: true }), 'unknown', Buffer.from(noise).toString('hex'));
      assert.notEqual(isPprof(noise, false), true);
    }
  });

  it('a raw profile is pprof whole, and cut short while its head still parses', () => {
    const heap = zlib.gunzipSync(readFileSync(new URL('samples/mapstress-boxed/heap.pb.gz', FIXTURES)));
    assert.equal(isPprof(heap, true), true);
    assert.equal(isPprof(heap.subarray(0, 6), false), undefined); // one field so far
    assert.equal(isPprof(heap.subarray(0, 200), false), true);
    assert.equal(isPprof(heap.subarray(0, 200), true), true); // cut inside a field: a broken profile, still a profile
    assert.equal(isPprof(heap.subarray(0, 6), true), false); // too little to tell: not taken for one
    // The same bytes with an unknown field number (16) first are not a profile.
    assert.equal(isPprof(Buffer.concat([Buffer.from([0x80, 0x01, 0x01]), heap]), true), false);
  });
});
