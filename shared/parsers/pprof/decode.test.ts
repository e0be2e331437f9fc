import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { BIG_MAPPING_ID, edgeCases, Strings, tiny, VSYSCALL_START } from '../../../test/fixtures/pprof/hand-built.js';
import { MalformedInputError } from '../../errors.js';
import type { Profile } from '../../model/profile.js';
import { fromBuffer } from '../bytes.js';
import { GzipError } from '../gzip.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { LimitExceededError } from '../../errors.js';
import { decodeProfile, readProfile, sampleFrames, sampleTypeIndex } from './index.js';
import { ProtoWriter } from './wire-writer.js';

const FIXTURES = new URL('../../../test/fixtures/pprof/', import.meta.url);

const decode = (bytes: Uint8Array): Profile => decodeProfile(bytes, { file: 'edge.pb' });

describe('pprof decoder: hand-built edge cases', () => {
  it('keeps hand-built-edge-cases.pb in step with its builder (UPDATE_GOLDEN=1 rewrites it)', () => {
    const url = new URL('hand-built-edge-cases.pb', FIXTURES);
    if (process.env.UPDATE_GOLDEN) writeFileSync(url, edgeCases());
    assert.deepEqual(new Uint8Array(readFileSync(url)), edgeCases());
  });

  const p = decode(edgeCases());

  it('decodes the profile-level fields', () => {
    assert.deepEqual(p.sampleTypes, [
      { type: 'samples', unit: 'count' },
      { type: 'delta', unit: 'nanoseconds' },
    ]);
    assert.equal(p.defaultSampleType, 1);
    assert.equal(p.dropFrames, 'runtime\\..*');
    assert.equal(p.keepFrames, 'runtime\\.main');
    assert.equal(p.timeNanos, 1_700_000_000_000_000_000);
    assert.equal(p.durationNanos, 1_000_000_000);
    assert.deepEqual(p.periodType, { type: 'cpu', unit: 'nanoseconds' });
    assert.equal(p.period, 10_000_000);
    assert.deepEqual(p.comments, ['first comment', 'second comment', 'third comment']);
    assert.equal(p.docUrl, 'https://example.com/profiles/delta.html');
  });

  it('decodes mappings: has_* bits, uint64 addresses above 2^53, a 2^40 id', () => {
    assert.equal(p.mappings.length, 2);
    assert.deepEqual(p.mappings[0], {
      id: 1,
      memoryStart: 0x400000n,
      memoryLimit: 0x4ba000n,
      fileOffset: 0x1000n,
      filename: '/usr/bin/prog',
      buildId: '4f1a9c',
      hasFunctions: true,
      hasFilenames: true,
      hasLineNumbers: true,
      hasInlineFrames: true,
    });
    const vsyscall = p.mappings[1]!;
    assert.equal(vsyscall.id, Number(BIG_MAPPING_ID));
    assert.equal(vsyscall.memoryStart, VSYSCALL_START);
    assert.equal(vsyscall.memoryLimit, VSYSCALL_START + 0x1000n);
    assert.equal(vsyscall.hasFunctions, false);
  });

  it('decodes functions, locations, lines with columns, inlining and is_folded', () => {
    assert.deepEqual(
      p.functions.map((f) => [f.id, f.name, f.systemName, f.filename, f.startLine]),
      [
        [1, 'main.caller', 'main.caller', '/src/app/main.go', 15],
        [2, 'main.leaf', 'main.leaf·1', '/src/app/leaf.go', 8],
        [7, 'runtime.main', '', '/go/src/runtime/proc.go', -1],
      ],
    );
    const [inl, unsym, nomap, sparse] = p.locations;
    assert.equal(inl!.id, 1);
    assert.equal(inl!.mapping, p.mappings[0]);
    assert.equal(inl!.address, 0x401234n);
    assert.equal(inl!.isFolded, true);
    assert.deepEqual(
      inl!.lines.map((l) => [l.function.name, l.line, l.column]),
      [
        ['main.leaf', 10, 5],
        ['main.caller', 20, 9],
      ],
    );
    assert.equal(unsym!.mapping, p.mappings[1]);
    assert.equal(unsym!.address, VSYSCALL_START + 0x400n);
    assert.deepEqual(unsym!.lines, []);
    assert.equal(nomap!.id, 3);
    assert.equal(nomap!.mapping, undefined);
    assert.equal(nomap!.lines[0]!.function, p.functions[2]);
    assert.equal(nomap!.lines[0]!.column, 0);
    assert.equal(sparse!.id, 1_000_000);
  });

  it('decodes samples: packed and unpacked repeats, negative values, labels with num_unit', () => {
    const ids = p.samples.map((s) => s.locations.map((l) => l.id));
    assert.deepEqual(ids, [[3, 2, 1], [1], [1_000_000, 3], [3, 2, 1], []]);
    assert.deepEqual(
      p.samples.map((s) => s.values),
      [
        [5, -7],
        [0, -9007199254740991],
        [1, 2],
        [5, -7],
        [1, 1],
      ],
    );
    assert.deepEqual(p.samples[0]!.labels, [
      { key: 'thread', str: 'main' },
      { key: 'bytes', num: 4096, numUnit: 'bytes' },
      { key: 'request', num: -1, numUnit: 'requests' },
    ]);
    assert.deepEqual(p.samples[3]!.labels, [{ key: 'thread', str: 'main' }]);
    assert.deepEqual(p.samples[1]!.labels, []);
    // locations are the location records themselves, resolved once
    assert.equal(p.samples[0]!.locations[2], p.locations[0]);
  });

  it('shares equal stacks, label sets and values between samples, frozen', () => {
    const [a, , , d] = p.samples;
    assert.equal(a!.locations, d!.locations);
    assert.equal(a!.values, d!.values);
    assert.ok(Object.isFrozen(a!.locations) && Object.isFrozen(a!.values) && Object.isFrozen(a!.labels));
    for (const s of p.samples) assert.ok(Object.isFrozen(s.locations) && Object.isFrozen(s.values) && Object.isFrozen(s.labels));
    assert.throws(() => (a!.values as number[]).push(1), TypeError);
  });

  it('expands inlined frames leaf first, and names unsymbolized locations by address', () => {
    assert.deepEqual(sampleFrames(p.locations[0]!), [
      { function: 'main.leaf', file: '/src/app/leaf.go', line: 10, column: 5, inlined: true },
      { function: 'main.caller', file: '/src/app/main.go', line: 20, column: 9, inlined: false },
    ]);
    assert.deepEqual(sampleFrames(p.locations[1]!), [
      { function: '0xffffffffff600400', file: '', line: 0, column: 0, inlined: false },
    ]);
    assert.deepEqual(sampleFrames(p.locations[2]!), [
      { function: 'runtime.main', file: '/go/src/runtime/proc.go', line: 250, column: 0, inlined: false },
    ]);
  });

  it('finds sample types by type and unit', () => {
    assert.equal(sampleTypeIndex(p, 'delta'), 1);
    assert.equal(sampleTypeIndex(p, 'delta', 'nanoseconds'), 1);
    assert.equal(sampleTypeIndex(p, 'delta', 'bytes'), -1);
    assert.equal(sampleTypeIndex(p, 'alloc_space'), -1);
  });
});

describe('pprof decoder: field semantics', () => {
  it('takes the last value of a scalar field seen twice, and the last period_type', () => {
    const s = new Strings();
    const w = new ProtoWriter()
      .varint(12, 5)
      .varint(12, 7)
      .message(11, (m) => m.varint(1, s.id('a')).varint(2, s.id('b')))
      .message(11, (m) => m.varint(1, s.id('c')))
      .varint(10, -3);
    s.write(w);
    const p = decode(w.finish());
    assert.equal(p.period, 7);
    assert.deepEqual(p.periodType, { type: 'c', unit: '' });
    assert.equal(p.durationNanos, -3);
    assert.equal(p.defaultSampleType, -1);
    assert.equal(p.docUrl, '');
    assert.equal(p.periodType && p.samples.length, 0);
  });

  it('reads labels as pprof does: str when set, else num (0 included) with num_unit when set', () => {
    const s = new Strings();
    const w = new ProtoWriter().message(1, (m) => m.varint(1, s.id('n')));
    w.message(2, (m) =>
      m
        .varint(2, 1)
        .message(3, (l) => l.varint(1, s.id('only-key')))
        .message(3, (l) => l.varint(1, s.id('zero')).varint(3, 0))
        .message(3, (l) => l.varint(1, s.id('unit-only')).varint(4, s.id('ms'))),
    );
    s.write(w);
    assert.deepEqual(decode(w.finish()).samples[0]!.labels, [
      { key: 'only-key', num: 0 },
      { key: 'zero', num: 0 },
      { key: 'unit-only', num: 0, numUnit: 'ms' },
    ]);
  });

  it('is not fooled by equal bytes in different places: stacks share only when their bytes are equal', () => {
    const s = new Strings();
    const w = new ProtoWriter().message(1, (m) => m.varint(1, s.id('n')));
    for (const id of [1, 2]) {
      w.message(4, (m) => m.varint(1, id).message(4, (l) => l.varint(1, 1)));
    }
    w.message(5, (m) => m.varint(1, 1).varint(2, s.id('f')));
    w.message(2, (m) => m.packed(1, [1, 2]).packed(2, [1]));
    w.message(2, (m) => m.packed(1, [2, 1]).packed(2, [1]));
    w.message(2, (m) => m.packed(1, [1, 2]).packed(2, [2]));
    s.write(w);
    const p = decode(w.finish());
    assert.deepEqual(
      p.samples.map((x) => x.locations.map((l) => l.id)),
      [
        [1, 2],
        [2, 1],
        [1, 2],
      ],
    );
    assert.equal(p.samples[0]!.locations, p.samples[2]!.locations);
    assert.notEqual(p.samples[0]!.locations, p.samples[1]!.locations);
    assert.deepEqual(
      p.samples.map((x) => x.values),
      [[1], [1], [2]],
    );
  });

  it('decodes many distinct values exactly (the values interner gives up, results unchanged)', () => {
    const s = new Strings();
    const w = new ProtoWriter().message(1, (m) => m.varint(1, s.id('a'))).message(1, (m) => m.varint(1, s.id('b')));
    const n = 6000;
    for (let i = 0; i < n; i++) w.message(2, (m) => m.packed(2, [i, -i * 1_000_003]));
    s.write(w);
    const p = decode(w.finish());
    assert.equal(p.samples.length, n);
    for (let i = 0; i < n; i++) assert.deepEqual(p.samples[i]!.values, [i, -i * 1_000_003 || 0]);
  });

  it('accepts a profile that is only a string table, and utf-8 strings', () => {
    const w = new ProtoWriter().string(6, '').string(6, 'ünïcödé ✓').varint(15, 1);
    const p = decode(w.finish());
    assert.equal(p.docUrl, 'ünïcödé ✓');
    assert.deepEqual([p.samples, p.locations, p.functions, p.mappings, p.sampleTypes], [[], [], [], [], []]);
    assert.equal(p.periodType, undefined);
  });
});

describe('readProfile', () => {
  const raw = tiny();
  const gz = gzipSync(raw);

  it('reads raw and gzipped profiles from any chunking', async () => {
    const want = decode(raw);
    for (const size of [1, 2, 7, 64 * 1024]) {
      assert.deepEqual(await readProfile(fromBuffer(raw, size), { file: 't.pb' }), want);
      assert.deepEqual(await readProfile(fromBuffer(gz, size), { file: 't.pb.gz' }), want);
    }
  });

  it('says when a protobuf error is in gunzipped bytes', async () => {
    const broken = gzipSync(raw.subarray(0, raw.length - 3));
    await assert.rejects(readProfile(fromBuffer(broken), { file: 't.pb.gz' }), (err: unknown) => {
      assert.ok(err instanceof MalformedInputError);
      assert.match(err.message, /^t\.pb\.gz \(byte \d+\): .*gunzipped profile/);
      return true;
    });
  });

  it('reports a truncated gzip stream as a GzipError, and applies the decodedBytes limit', async () => {
    await assert.rejects(readProfile(fromBuffer(gz.subarray(0, gz.length - 6)), { file: 't.pb.gz' }), GzipError);
    const limits = { ...DEFAULT_LIMITS, decodedBytes: 100 };
    await assert.rejects(readProfile(fromBuffer(gz), { file: 't.pb.gz', limits }), LimitExceededError);
    await assert.rejects(readProfile(fromBuffer(raw), { file: 't.pb', limits }), LimitExceededError);
  });
});
