// Real profiles, checked against pprof's own reading of them: each NAME.pprof.json in
// test/fixtures/pprof is what github.com/google/pprof/profile (as Go 1.19 ships it) decodes from the
// profile (pprofdump, README.md). bigheap, too big to dump whole, is checked by its summary.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Profile, ProfileLabel } from '../../model/profile.js';
import { fromBuffer } from '../bytes.js';
import { readProfile } from './index.js';

const FIXTURES = new URL('../../../test/fixtures/pprof/', import.meta.url);
const ROOT = new URL('../../../', import.meta.url);
/** ../shared/samples beside the repository, as CI lays it out. */
const SHARED_SAMPLES = new URL('../shared/samples/', ROOT);

/** Which profile each golden is the reading of (beside it unless named here). */
const SOURCES: Record<string, URL> = {
  'hand-built-edge-cases': new URL('hand-built-edge-cases.pb', FIXTURES),
  'mapstress-boxed-heap': new URL('test/fixtures/samples/mapstress-boxed/heap.pb.gz', ROOT),
  'mapstress-boxed-cpu': new URL('test/fixtures/samples/mapstress-boxed/cpu.pb.gz', ROOT),
  'mapstress-struct-heap': new URL('mapstress/struct/heap.pb.gz', SHARED_SAMPLES),
  'mapstress-struct-cpu': new URL('mapstress/struct/cpu.pb.gz', SHARED_SAMPLES),
};
const BIGHEAP = new URL('bigheap/bigheap.pb.gz', SHARED_SAMPLES);

async function read(url: URL, chunkSize?: number): Promise<Profile> {
  const name = fileURLToPath(url).split('/').pop()!;
  return readProfile(fromBuffer(new Uint8Array(readFileSync(url)), chunkSize), { file: name });
}

/** Our Profile in the shape of pprofdump's JSON (int64 as decimal strings, labels in its order). */
function asPprofDump(p: Profile): unknown {
  const i64 = (n: number) => BigInt(n).toString();
  return {
    comments: p.comments,
    defaultSampleType: p.defaultSampleType >= 0 ? p.sampleTypes[p.defaultSampleType]!.type : '',
    dropFrames: p.dropFrames,
    durationNanos: i64(p.durationNanos),
    functions: p.functions.map((f) => ({ filename: f.filename, id: f.id, name: f.name, startLine: i64(f.startLine), systemName: f.systemName })),
    keepFrames: p.keepFrames,
    locations: p.locations.map((l) => ({
      address: `0x${l.address.toString(16)}`,
      id: l.id,
      isFolded: l.isFolded,
      lines: l.lines.map((ln) => ({ function: ln.function.id, line: i64(ln.line) })),
      mapping: l.mapping?.id ?? 0,
    })),
    mappings: p.mappings.map((m) => ({
      buildId: m.buildId,
      fileOffset: `0x${m.fileOffset.toString(16)}`,
      filename: m.filename,
      hasFilenames: m.hasFilenames,
      hasFunctions: m.hasFunctions,
      hasInlineFrames: m.hasInlineFrames,
      hasLineNumbers: m.hasLineNumbers,
      id: m.id,
      memoryLimit: `0x${m.memoryLimit.toString(16)}`,
      memoryStart: `0x${m.memoryStart.toString(16)}`,
    })),
    period: i64(p.period),
    periodType: p.periodType ?? { type: '', unit: '' },
    sampleTypes: p.sampleTypes,
    samples: p.samples.map((s) => ({ labels: pprofLabels(s.labels), locations: s.locations.map((l) => l.id), values: s.values.map(i64) })),
    timeNanos: i64(p.timeNanos),
  };
}

/**
 * pprof keeps labels in maps: string ones by key, then numeric ones by key (the dump sorts keys),
 * and drops a numeric label of 0 without a unit (it cannot tell it from an unset one).
 */
function pprofLabels(labels: readonly ProfileLabel[]): unknown[] {
  const byKey = (a: ProfileLabel, b: ProfileLabel) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const strs = labels.filter((l) => l.str !== undefined).sort(byKey);
  const nums = labels.filter((l) => l.str === undefined && (l.num !== 0 || l.numUnit !== undefined)).sort(byKey);
  return [
    ...strs.map((l) => ({ key: l.key, str: l.str })),
    ...nums.map((l) => ({ key: l.key, num: BigInt(l.num!).toString(), ...(l.numUnit ? { numUnit: l.numUnit } : {}) })),
  ];
}

/** pprofdump writes int64 as exact decimals; ours are numbers (exact below 2^53): compare what a number can hold. */
function roundInt64s(dump: Record<string, unknown>): unknown {
  const round = (s: string) => BigInt(Number(s)).toString();
  const d = structuredClone(dump) as { timeNanos: string; samples: Array<{ values: string[] }> };
  d.timeNanos = round(d.timeNanos);
  for (const s of d.samples ?? []) s.values = s.values.map(round);
  const out = d as unknown as Record<string, unknown>;
  out.samples ??= [];
  for (const k of ['functions', 'locations', 'mappings', 'sampleTypes']) out[k] ??= [];
  return out;
}

const goldens = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.pprof.json'))
  .map((f) => f.slice(0, -'.pprof.json'.length))
  .sort();

describe('pprof decoder: real profiles against pprof', () => {
  it('has a source for every golden', () => {
    assert.ok(goldens.length >= 11, goldens.join(' '));
    for (const name of goldens) assert.ok(SOURCES[name] || existsSync(new URL(`${name}.pb.gz`, FIXTURES)), name);
  });

  for (const name of goldens) {
    const source = SOURCES[name] ?? new URL(`${name}.pb.gz`, FIXTURES);
    const present = existsSync(source);
    it(`${name}: decodes as pprof reads it`, { skip: present ? false : `${fileURLToPath(source)} is absent` }, async () => {
      const want = JSON.parse(readFileSync(new URL(`${name}.pprof.json`, FIXTURES), 'utf8')) as Record<string, unknown>;
      const p = await read(source);
      assert.deepEqual(JSON.parse(JSON.stringify(asPprofDump(p))), roundInt64s(want));
      // the same with the bytes cut into tiny chunks (the gunzip streams)
      assert.deepEqual(await read(source, 3), p);
    });
  }

  it('go1.19 profiles: heap keeps inlined frames in one location, cpu and goroutine keep pprof labels', async () => {
    const heap = await read(new URL('go1.19-heap.pb.gz', FIXTURES));
    assert.ok(heap.locations.some((l) => l.lines.length > 1 && l.lines.some((ln) => ln.function.name === 'main.box')));
    const cpu = await read(new URL('go1.19-cpu.pb.gz', FIXTURES));
    const phases = new Set(cpu.samples.flatMap((s) => s.labels.filter((l) => l.key === 'phase').map((l) => l.str)));
    assert.deepEqual([...phases].sort(), ['fill', 'spin']);
    const g = await read(new URL('go1.19-goroutine.pb.gz', FIXTURES));
    assert.deepEqual(
      g.samples.flatMap((s) => s.labels.map((l) => l.str)).sort(),
      ['w', 'ww', 'www'],
    );
  });

  it('bigheap: sample count, value sums and per-leaf sums as pprof reads them', { skip: existsSync(BIGHEAP) ? false : `${fileURLToPath(BIGHEAP)} is absent` }, async () => {
    const want = JSON.parse(readFileSync(new URL('bigheap.summary.json', FIXTURES), 'utf8')) as {
      samples: number;
      locations: number;
      functions: number;
      mappings: number;
      sampleTypes: string[];
      sums: number[];
      leafSums: Array<Record<string, number>>;
    };
    const p = await read(BIGHEAP);
    assert.equal(p.samples.length, want.samples);
    assert.equal(p.locations.length, want.locations);
    assert.equal(p.functions.length, want.functions);
    assert.equal(p.mappings.length, want.mappings);
    assert.deepEqual(
      p.sampleTypes.map((t) => `${t.type}/${t.unit}`),
      want.sampleTypes,
    );
    const sums = p.sampleTypes.map(() => 0);
    const leaf = p.sampleTypes.map(() => new Map<string, number>());
    for (const s of p.samples) {
      const name = s.locations[0]?.lines[0]?.function.name ?? '';
      s.values.forEach((v, i) => {
        sums[i]! += v;
        leaf[i]!.set(name, (leaf[i]!.get(name) ?? 0) + v);
      });
    }
    assert.deepEqual(sums, want.sums);
    assert.deepEqual(
      leaf.map((m) => Object.fromEntries(m)),
      want.leafSums,
    );
  });
});
