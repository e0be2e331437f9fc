// Round trips with another producer and reader, pprof-format (Datadog's JavaScript encoder/decoder):
// profiles it encodes decode to what it was given; every real profile reads the same through it
// (it knows Line.column and doc_url, which Go 1.19's pprof does not); and a profile of ours,
// re-encoded by it, decodes back to itself.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import {
  Function as PfFunction,
  Label as PfLabel,
  Line as PfLine,
  Location as PfLocation,
  Mapping as PfMapping,
  Profile as PfProfile,
  Sample as PfSample,
  StringTable,
  ValueType as PfValueType,
} from 'pprof-format';
import type { Profile } from '../../model/profile.js';
import { decodeProfile } from './index.js';

const FIXTURES = new URL('../../../test/fixtures/pprof/', import.meta.url);
const SAMPLES = new URL('../../../test/fixtures/samples/mapstress-boxed/', import.meta.url);
const BIGHEAP = new URL('../../../../shared/samples/bigheap/bigheap.pb.gz', import.meta.url);

type Numeric = number | bigint;
/** pprof-format reads every varint as unsigned: an int64 field's value, signed. */
const num = (n: Numeric) => (typeof n === 'bigint' ? Number(BigInt.asIntN(64, n)) : n);

/** Asserts that pprof-format's reading `q` of the same bytes says what our `p` says, field by field. */
function assertSame(p: Profile, q: PfProfile, what: string): void {
  const s = q.stringTable.strings;
  const str = (i: Numeric) => s[num(i)];
  assert.deepEqual(
    p.sampleTypes,
    q.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) })),
    `${what}: sample types`,
  );
  assert.equal(p.defaultSampleType, num(q.defaultSampleType) === 0 ? -1 : p.sampleTypes.findIndex((t) => t.type === str(q.defaultSampleType)));
  assert.deepEqual(
    [p.dropFrames, p.keepFrames, p.timeNanos, p.durationNanos, p.period, p.docUrl, p.comments],
    [str(q.dropFrames), str(q.keepFrames), num(q.timeNanos), num(q.durationNanos), num(q.period), str(q.docUrl), q.comment.map(str)],
    `${what}: profile fields`,
  );
  assert.deepEqual(p.periodType ?? null, q.periodType ? { type: str(q.periodType.type), unit: str(q.periodType.unit) } : null);
  assert.deepEqual(
    p.mappings.map((m) => [m.id, m.memoryStart, m.memoryLimit, m.fileOffset, m.filename, m.buildId, m.hasFunctions, m.hasFilenames, m.hasLineNumbers, m.hasInlineFrames]),
    q.mapping.map((m) => [num(m.id), BigInt(m.memoryStart), BigInt(m.memoryLimit), BigInt(m.fileOffset), str(m.filename), str(m.buildId), m.hasFunctions, m.hasFilenames, m.hasLineNumbers, m.hasInlineFrames]),
    `${what}: mappings`,
  );
  assert.deepEqual(
    p.functions.map((f) => [f.id, f.name, f.systemName, f.filename, f.startLine]),
    q.function.map((f) => [num(f.id), str(f.name), str(f.systemName), str(f.filename), num(f.startLine)]),
    `${what}: functions`,
  );
  assert.deepEqual(
    p.locations.map((l) => [l.id, l.mapping?.id ?? 0, l.address, l.isFolded, l.lines.map((ln) => [ln.function.id, ln.line, ln.column])]),
    q.location.map((l) => [num(l.id), num(l.mappingId), BigInt(l.address), l.isFolded, l.line.map((ln) => [num(ln.functionId), num(ln.line), num(ln.column)])]),
    `${what}: locations`,
  );
  assert.equal(p.samples.length, q.sample.length, `${what}: samples`);
  for (let i = 0; i < p.samples.length; i++) {
    const a = p.samples[i]!;
    const b = q.sample[i]!;
    const ids = a.locations.map((l) => l.id);
    const want = b.locationId.map(num);
    if (ids.length !== want.length || ids.some((id, j) => id !== want[j])) assert.deepEqual(ids, want, `${what}: sample ${i} locations`);
    const values = b.value.map(num);
    if (a.values.some((v, j) => v !== values[j]) || a.values.length !== values.length) assert.deepEqual(a.values, values, `${what}: sample ${i} values`);
    if (a.labels.length || b.label.length) {
      assert.deepEqual(
        a.labels,
        b.label.map((l) =>
          num(l.str) !== 0
            ? { key: str(l.key), str: str(l.str) }
            : { key: str(l.key), num: num(l.num), ...(num(l.numUnit) !== 0 ? { numUnit: str(l.numUnit) } : {}) },
        ),
        `${what}: sample ${i} labels`,
      );
    }
  }
}

/** Our profile as pprof-format's encoder input (ids and strings as they are). */
function toPprofFormat(p: Profile): PfProfile {
  const st = new StringTable();
  const id = (s: string) => st.dedup(s);
  return new PfProfile({
    sampleType: p.sampleTypes.map((t) => new PfValueType({ type: id(t.type), unit: id(t.unit) })),
    sample: p.samples.map(
      (s) =>
        new PfSample({
          locationId: s.locations.map((l) => l.id),
          value: [...s.values],
          label: s.labels.map((l) => new PfLabel({ key: id(l.key), str: l.str ? id(l.str) : 0, num: l.num ?? 0, numUnit: l.numUnit ? id(l.numUnit) : 0 })),
        }),
    ),
    mapping: p.mappings.map(
      (m) =>
        new PfMapping({
          id: m.id,
          memoryStart: m.memoryStart,
          memoryLimit: m.memoryLimit,
          fileOffset: m.fileOffset,
          filename: id(m.filename),
          buildId: id(m.buildId),
          hasFunctions: m.hasFunctions,
          hasFilenames: m.hasFilenames,
          hasLineNumbers: m.hasLineNumbers,
          hasInlineFrames: m.hasInlineFrames,
        }),
    ),
    location: p.locations.map(
      (l) =>
        new PfLocation({
          id: l.id,
          mappingId: l.mapping?.id ?? 0,
          address: l.address,
          isFolded: l.isFolded,
          line: l.lines.map((ln) => new PfLine({ functionId: ln.function.id, line: ln.line, column: ln.column })),
        }),
    ),
    function: p.functions.map(
      (f) => new PfFunction({ id: f.id, name: id(f.name), systemName: id(f.systemName), filename: id(f.filename), startLine: f.startLine }),
    ),
    stringTable: st,
    dropFrames: id(p.dropFrames),
    keepFrames: id(p.keepFrames),
    timeNanos: p.timeNanos,
    durationNanos: p.durationNanos,
    ...(p.periodType ? { periodType: new PfValueType({ type: id(p.periodType.type), unit: id(p.periodType.unit) }) } : {}),
    period: p.period,
    comment: p.comments.map(id),
    defaultSampleType: p.defaultSampleType >= 0 ? id(p.sampleTypes[p.defaultSampleType]!.type) : 0,
    docUrl: id(p.docUrl),
  });
}

const realProfiles = [
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.pb.gz'))
    .map((f) => new URL(f, FIXTURES)),
  new URL('heap.pb.gz', SAMPLES),
  new URL('cpu.pb.gz', SAMPLES),
];

describe('pprof decoder: round trips with pprof-format', () => {
  it('decodes what pprof-format encodes: columns, doc_url, num_unit, negative and large values, comments', () => {
    const st = new StringTable();
    const id = (s: string) => st.dedup(s);
    const source = new PfProfile({
      sampleType: [new PfValueType({ type: id('wall'), unit: id('nanoseconds') }), new PfValueType({ type: id('delta'), unit: id('bytes') })],
      sample: [
        new PfSample({
          locationId: [2, 1],
          value: [123456789012, -42],
          label: [
            new PfLabel({ key: id('thread id'), num: 7, numUnit: id('count') }),
            new PfLabel({ key: id('span'), str: id('GET /') }),
          ],
        }),
        new PfSample({ locationId: [1], value: [-(2 ** 40), 2n ** 52n] }),
      ],
      mapping: [new PfMapping({ id: 1, memoryStart: 0x7f0000000000n, memoryLimit: 0xffffffffff600000n, filename: id('libc.so.6'), hasFunctions: true })],
      location: [
        new PfLocation({ id: 1, mappingId: 1, address: 0x7f0000001234n, line: [new PfLine({ functionId: 1, line: 42, column: 17 })] }),
        new PfLocation({
          id: 2,
          mappingId: 1,
          address: 0x7f0000005678n,
          line: [new PfLine({ functionId: 2, line: 7, column: 3 }), new PfLine({ functionId: 1, line: 43, column: 1 })],
        }),
      ],
      function: [
        new PfFunction({ id: 1, name: id('handler'), systemName: id('_Z7handlerv'), filename: id('server.cc'), startLine: 40 }),
        new PfFunction({ id: 2, name: id('inlined'), filename: id('server.cc'), startLine: 5 }),
      ],
      stringTable: st,
      timeNanos: 1_700_000_000_123_456_789n,
      durationNanos: 2_000_000_000,
      periodType: new PfValueType({ type: id('wall'), unit: id('nanoseconds') }),
      period: 10_000_000,
      comment: [id('made by pprof-format')],
      defaultSampleType: id('delta'),
      docUrl: id('https://example.com/wall.html'),
      dropFrames: id('^runtime'),
    });
    const p = decodeProfile(source.encode(), { file: 'pprof-format.pb' });
    assertSame(p, PfProfile.decode(source.encode()), 'pprof-format encoded');
    assert.deepEqual(
      p.locations[1]!.lines.map((l) => [l.function.name, l.line, l.column]),
      [
        ['inlined', 7, 3],
        ['handler', 43, 1],
      ],
    );
    assert.deepEqual(p.samples[0]!.labels, [
      { key: 'thread id', num: 7, numUnit: 'count' },
      { key: 'span', str: 'GET /' },
    ]);
    assert.deepEqual(p.samples[0]!.values, [123456789012, -42]);
    assert.deepEqual(p.samples[1]!.values, [-(2 ** 40), 2 ** 52]);
    assert.equal(p.mappings[0]!.memoryLimit, 0xffffffffff600000n);
    assert.equal(p.docUrl, 'https://example.com/wall.html');
    assert.equal(p.defaultSampleType, 1);
    assert.equal(p.timeNanos, 1_700_000_000_123_456_789);
  });

  for (const url of realProfiles) {
    const name = url.pathname.split('/').slice(-2).join('/');
    it(`${name}: reads as pprof-format reads it, and survives re-encoding by it`, () => {
      const raw = new Uint8Array(gunzipSync(readFileSync(url)));
      const p = decodeProfile(raw, { file: name });
      assertSame(p, PfProfile.decode(raw), name);
      const again = decodeProfile(toPprofFormat(p).encode(), { file: `${name} re-encoded` });
      assert.deepEqual(again, p);
    });
  }

  it('bigheap: reads as pprof-format reads it, sample by sample', { skip: existsSync(BIGHEAP) ? false : 'shared/samples/bigheap is absent' }, () => {
    const raw = new Uint8Array(gunzipSync(readFileSync(BIGHEAP)));
    assertSame(decodeProfile(raw, { file: 'bigheap.pb' }), PfProfile.decode(raw), 'bigheap');
  });
});
