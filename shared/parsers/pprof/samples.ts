/**
 * The samples of a profile, its hot path (bigheap: 262,166 of them in 12.4 MB):
 *
 *   message Sample { repeated uint64 location_id = 1; repeated int64 value = 2; repeated Label label = 3; }
 *   message Label { int64 key = 1; int64 str = 2; int64 num = 3; int64 num_unit = 4; }
 *
 * Both repeated scalars come packed (one LEN field) or not (one VARINT per element), even mixed in
 * one profile: the Go runtime packs a list of more than 2 elements only, so a heap profile has packed
 * stacks and values, a CPU profile packed stacks and unpacked values, and a 1- or 2-frame stack is
 * unpacked in any of them. A fast path takes the packed fields with 1-byte keys and lengths and
 * single VARINT values, the general one (`sampleField`) everything else.
 *
 * Samples with the same stack, label set or values share one frozen array of them (Interner): a Go
 * heap profile has a sample per (stack, size), a CPU profile mostly `[1, 10000000]` values. Every
 * array of a decoded sample is frozen, shared or not.
 */
import type { ProfileLabel, ProfileLocation, ProfileSample } from '../../model/profile.js';
import { IdTable, Interner, StringTable } from './tables.js';
import { LEN, ProtoReader, VARINT } from './wire.js';

// Keys (field << 3 | wire type) of Sample's fields, and of Profile.sample.
const K_VARINT_1 = (1 << 3) | VARINT;
const K_LEN_1 = (1 << 3) | LEN;
const K_VARINT_2 = (2 << 3) | VARINT;
const K_LEN_2 = (2 << 3) | LEN;
const K_LEN_3 = (3 << 3) | LEN;
/** Profile.sample = 2, LEN: the same byte as K_LEN_2. */
export const K_PROFILE_SAMPLE = K_LEN_2;

/** The `locations`/`labels` of a sample without any: shared and frozen. */
const NO_LOCATIONS = Object.freeze([]) as unknown as ProfileLocation[];
const NO_LABELS = Object.freeze([]) as unknown as ProfileLabel[];

/** The sample being decoded, for the general path (`sampleField`). */
interface SampleCursor {
  locations: ProfileLocation[];
  labels: ProfileLabel[];
  values: Float64Array;
  n: number;
  /** OWN_LOCATIONS | OWN_LABELS: arrays made for this sample (else shared ones, copied before a push). */
  own: number;
}

const OWN_LOCATIONS = 1;
const OWN_LABELS = 2;

/** Where the samples are: pass 1 notes the first and the end of the last, and counts them. */
export interface SampleRange {
  from: number;
  to: number;
  count: number;
}

export class SampleDecoder {
  private readonly cur: SampleCursor = { locations: NO_LOCATIONS, labels: NO_LABELS, values: new Float64Array(0), n: 0, own: 0 };
  private readonly view: DataView;
  private readonly stacks = new Interner<ProfileLocation[]>();
  private readonly labelSets = new Interner<ProfileLabel[]>();
  private readonly valueSets = new Interner<number[]>();
  /** valueSets stops being asked once values turn out not to repeat. */
  private internValues = true;
  private valueHits = 0;
  /** The values of the sample being decoded, and the same bytes as words (valueSets' key). */
  private scratch = new Float64Array(0);
  private scratchWords = new Int32Array(0);

  constructor(
    private readonly r: ProtoReader,
    private readonly strings: StringTable,
    private readonly locations: IdTable<ProfileLocation>,
  ) {
    const b = r.buf;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /**
   * repeated Sample sample = 2: walks the top-level fields from the first sample to the end of the
   * last (pass 1 checked their keys and lengths; other fields between them are skipped) and decodes
   * each, with `types` values apiece.
   */
  decode(range: SampleRange, types: number): ProfileSample[] {
    const r = this.r;
    const b = r.buf;
    const count = range.count;
    const out: ProfileSample[] = new Array(count);
    if (count === 0) return out;
    if (types === 0) throw r.error(range.from, 'samples but no sample_type');
    const to = range.to;
    this.scratch = new Float64Array(types);
    this.scratchWords = new Int32Array(this.scratch.buffer);
    let n = 0;
    for (let at = range.from; at < to; ) {
      // top-level fields, already checked by pass 1: a key, and a length for LEN ones
      const len = b[at + 1]!;
      if (b[at] === K_PROFILE_SAMPLE && len < 0x80) {
        out[n++] = this.sample(at, at + 2, at + 2 + len, types);
        at += 2 + len;
        continue;
      }
      r.pos = at;
      const key = r.key(to);
      if (key === K_PROFILE_SAMPLE) {
        const end = r.len(to, at, 'Profile.sample');
        out[n++] = this.sample(at, r.pos, end, types);
        at = end;
      } else {
        r.skip(key & 7, to, at, key >>> 3);
        at = r.pos;
      }
    }
    return out;
  }

  /** One Sample: its bytes are [p, end), its key at `sampleAt`. */
  private sample(sampleAt: number, p: number, end: number, types: number): ProfileSample {
    const b = this.r.buf;
    const values = this.scratch;
    let locations = NO_LOCATIONS;
    let labels = NO_LABELS;
    let n = 0;
    let own = 0;
    while (p < end) {
      const k = b[p]!;
      const len = b[p + 1]!;
      const s = p + 2;
      const e = s + len;
      if (k === K_LEN_2 && len < 0x80 && e <= end) {
        // repeated int64 value = 2, packed
        for (let q = s; q < e; ) {
          const x = b[q]!;
          if (n >= types) throw this.tooManyValues(sampleAt, types);
          if (x < 0x80) {
            values[n++] = x;
            q++;
          } else if (b[q + 1]! < 0x80 && q + 1 < e) {
            values[n++] = (x & 0x7f) | (b[q + 1]! << 7);
            q += 2;
          } else {
            q = this.longValue(values, n++, q, e);
          }
        }
        p = e;
      } else if (k === K_VARINT_2 && s <= end) {
        // repeated int64 value = 2, one element (the Go runtime writes 2 values or fewer unpacked)
        if (n >= types) throw this.tooManyValues(sampleAt, types);
        if (len < 0x80) {
          values[n++] = len;
          p = s;
        } else {
          p = this.longValue(values, n++, p + 1, end);
        }
      } else if (k === K_LEN_1 && len < 0x80 && e <= end && locations.length === 0) {
        // repeated uint64 location_id = 1, packed
        locations = this.stacks.getSpan(this.view, s, e) ?? this.stacks.add(this.packedLocations(s, e));
        p = e;
      } else if (k === K_LEN_3 && len < 0x80 && e <= end && labels.length === 0) {
        // repeated Label label = 3
        labels = this.labelSets.getSpan(this.view, s, e) ?? this.labelSets.add([this.labelAt(s, e)]);
        p = e;
      } else {
        const cur = this.cur;
        cur.locations = locations;
        cur.labels = labels;
        cur.values = values;
        cur.n = n;
        cur.own = own;
        this.r.pos = p;
        this.sampleField(end, types, sampleAt);
        p = this.r.pos;
        locations = cur.locations;
        labels = cur.labels;
        n = cur.n;
        own = cur.own;
      }
    }
    if (n !== types) throw this.r.error(sampleAt, `sample has ${n} values, want one per sample_type (${types})`);
    if (own & OWN_LOCATIONS) Object.freeze(locations);
    if (own & OWN_LABELS) Object.freeze(labels);
    return { locations, values: this.sampleValues(types), labels };
  }

  /**
   * The sample's values (`scratch`) as a frozen array: a shared one when an earlier sample had the
   * same (CPU profiles: most samples are `[1, 10000000]`; heap profiles repeat sizes). Once 4096
   * distinct ones have been seen with fewer repeats than that, values are only copied.
   */
  private sampleValues(n: number): number[] {
    const s = this.scratch;
    if (this.internValues) {
      const shared = this.valueSets.getWords(this.scratchWords, n * 2);
      if (shared !== undefined) {
        this.valueHits++;
        return shared;
      }
    }
    const values: number[] = [];
    for (let i = 0; i < n; i++) values.push(s[i]!);
    if (!this.internValues) return Object.freeze(values) as number[];
    const size = this.valueSets.size;
    if (size >= 4096 && this.valueHits < size) this.internValues = false;
    return this.valueSets.add(values);
  }

  /** values[n] = the int64 varint at `q` (below `end`); returns the offset after it. */
  private longValue(values: Float64Array, n: number, q: number, end: number): number {
    const r = this.r;
    r.pos = q;
    values[n] = r.int64(end);
    return r.pos;
  }

  private labelAt(start: number, end: number): ProfileLabel {
    this.r.pos = start;
    return this.label(end);
  }

  /** The general path of decodeSamples: one field of a Sample at `pos`, into `cur`. */
  private sampleField(end: number, types: number, sampleAt: number): void {
    const r = this.r;
    const cur = this.cur;
    const keyAt = r.pos;
    const k = r.key(end);
    switch (k) {
      case K_LEN_1: {
        // repeated uint64 location_id = 1, packed
        const e = r.len(end, keyAt, 'Sample.location_id');
        const locations = this.ownLocations();
        while (r.pos < e) locations.push(this.sampleLocation(e));
        break;
      }
      case K_VARINT_1: // repeated uint64 location_id = 1, one element
        this.ownLocations().push(this.sampleLocation(end));
        break;
      case K_LEN_2: {
        // repeated int64 value = 2, packed
        const e = r.len(end, keyAt, 'Sample.value');
        while (r.pos < e) {
          if (cur.n === types) throw this.tooManyValues(sampleAt, types);
          cur.values[cur.n++] = r.int64(e);
        }
        break;
      }
      case K_VARINT_2: // repeated int64 value = 2, one element
        if (cur.n === types) throw this.tooManyValues(sampleAt, types);
        cur.values[cur.n++] = r.int64(end);
        break;
      case K_LEN_3: {
        // repeated Label label = 3
        const e = r.len(end, keyAt, 'Sample.label');
        this.ownLabels().push(this.label(e));
        break;
      }
      default: {
        const field = k >>> 3;
        const wire = k & 7;
        if (field === 1 || field === 2) {
          throw r.wrongWire(keyAt, field === 1 ? 'Sample.location_id' : 'Sample.value', wire, 'VARINT or LEN (packed)');
        }
        if (field === 3) throw r.wrongWire(keyAt, 'Sample.label', wire, 'LEN');
        r.skip(wire, end, keyAt, field);
      }
    }
  }

  /** The current sample's locations, copied first when they are a shared array. */
  private ownLocations(): ProfileLocation[] {
    const cur = this.cur;
    if (!(cur.own & OWN_LOCATIONS)) {
      cur.locations = cur.locations.slice();
      cur.own |= OWN_LOCATIONS;
    }
    return cur.locations;
  }

  private ownLabels(): ProfileLabel[] {
    const cur = this.cur;
    if (!(cur.own & OWN_LABELS)) {
      cur.labels = cur.labels.slice();
      cur.own |= OWN_LABELS;
    }
    return cur.labels;
  }

  private tooManyValues(at: number, types: number): Error {
    return this.r.error(at, `sample has more values than sample types (${types})`);
  }

  /** A packed Sample.location_id, resolved: the varints in [start, end); 1-byte ids straight from the dense table. */
  private packedLocations(start: number, end: number): ProfileLocation[] {
    const r = this.r;
    const b = r.buf;
    const dense = this.locations.dense;
    let count = 0;
    for (let j = start; j < end; j++) if (b[j]! < 0x80) count++;
    const out: ProfileLocation[] = new Array(count);
    let n = 0;
    for (let q = start; q < end; ) {
      const x = b[q]!;
      const loc = x < 0x80 ? dense[x] : undefined;
      if (loc !== undefined) {
        out[n++] = loc;
        q++;
      } else {
        // a longer varint, a sparse id, or none: the general path (a varint cut by `end` throws)
        r.pos = q;
        out[n++] = this.sampleLocation(end);
        q = r.pos;
      }
    }
    return out;
  }

  /** One Sample.location_id, resolved. */
  private sampleLocation(end: number): ProfileLocation {
    const r = this.r;
    const at = r.pos;
    const id = r.id(end);
    const loc = this.locations.get(id);
    if (loc === undefined) throw r.error(at, `Sample.location_id ${id} names no location`);
    return loc;
  }

  /**
   * message Label { int64 key = 1; int64 str = 2; int64 num = 3; int64 num_unit = 4; } — bytes [pos, end).
   * As pprof reads it: a string label when str is set (non-zero index), else a numeric one (`num`,
   * possibly 0) with `numUnit` when num_unit is set.
   */
  private label(end: number): ProfileLabel {
    const r = this.r;
    let key = '';
    let str: string | undefined;
    let num = 0;
    let unit: string | undefined;
    while (r.pos < end) {
      const keyAt = r.pos;
      const k = r.key(end);
      const wire = k & 7;
      switch (k >>> 3) {
        case 1: // int64 key = 1 (index into string_table)
          r.scalar(keyAt, wire, 'Label.key');
          key = this.strings.read(end);
          break;
        case 2: {
          // int64 str = 2 (index into string_table)
          const at = r.scalar(keyAt, wire, 'Label.str');
          const i = r.int64(end);
          str = i === 0 ? undefined : this.strings.at(i, at);
          break;
        }
        case 3: // int64 num = 3
          r.scalar(keyAt, wire, 'Label.num');
          num = r.int64(end);
          break;
        case 4: {
          // int64 num_unit = 4 (index into string_table)
          const at = r.scalar(keyAt, wire, 'Label.num_unit');
          const i = r.int64(end);
          unit = i === 0 ? undefined : this.strings.at(i, at);
          break;
        }
        default:
          r.skip(wire, end, keyAt, k >>> 3);
      }
    }
    if (str !== undefined) return { key, str };
    return unit === undefined ? { key, num } : { key, num, numUnit: unit };
  }
}
