/**
 * profile.proto decoder: raw (already gunzipped) bytes → the shared Profile model
 * (shared/model/profile.ts), with ids resolved, strings looked up and everything validated.
 * Schema: https://github.com/google/pprof/blob/main/proto/profile.proto; wire format: wire.ts.
 *
 *   message Profile {
 *     repeated ValueType sample_type = 1;   repeated Sample sample = 2;     repeated Mapping mapping = 3;
 *     repeated Location location = 4;       repeated Function function = 5; repeated string string_table = 6;
 *     int64 drop_frames = 7;  int64 keep_frames = 8;  int64 time_nanos = 9;  int64 duration_nanos = 10;
 *     ValueType period_type = 11;  int64 period = 12;  repeated int64 comment = 13;
 *     int64 default_sample_type = 14;  int64 doc_url = 15;  }
 *   message ValueType { int64 type = 1; int64 unit = 2; }
 *   message Sample { repeated uint64 location_id = 1; repeated int64 value = 2; repeated Label label = 3; }
 *   message Label { int64 key = 1; int64 str = 2; int64 num = 3; int64 num_unit = 4; }
 *   message Mapping { uint64 id = 1; uint64 memory_start = 2; uint64 memory_limit = 3; uint64 file_offset = 4;
 *     int64 filename = 5; int64 build_id = 6; bool has_functions = 7; bool has_filenames = 8;
 *     bool has_line_numbers = 9; bool has_inline_frames = 10; }
 *   message Location { uint64 id = 1; uint64 mapping_id = 2; uint64 address = 3; repeated Line line = 4;
 *     bool is_folded = 5; }
 *   message Line { uint64 function_id = 1; int64 line = 2; int64 column = 3; }
 *   message Function { uint64 id = 1; int64 name = 2; int64 system_name = 3; int64 filename = 4;
 *     int64 start_line = 5; }
 * (every int64 that names a string is an index into string_table, whose entry 0 must be "").
 *
 * Two passes over the bytes. The first walks the top-level fields only and notes where each record
 * is (the Go runtime writes string_table after the records that index it). The second decodes the
 * records in dependency order — strings, sample types, mappings, functions, locations, samples — so
 * every string index and every id is checked where it is read and an error names that very byte.
 * The records are decoded straight into the model (no intermediate per-field objects): this is the
 * hot path of heap-profile analysis (bigheap: 262,166 samples, 12.4 MB).
 *
 * Rules, as pprof's own reader (profile.ParseData + CheckValid) applies them: string_table[0] is "";
 * ids of mappings, functions and locations are non-zero and unique; every Sample.location_id and
 * Line.function_id resolves; Location.mapping_id resolves or is 0 (none); every sample has one value
 * per sample type; a second time_nanos means concatenated profiles, refused.
 */
import type {
  Profile,
  ProfileFunction,
  ProfileLabel,
  ProfileLine,
  ProfileLocation,
  ProfileMapping,
  ProfileSample,
  ValueType,
} from '../../model/profile.js';
import { LEN, ProtoReader, VARINT } from './wire.js';

export interface DecodeOptions {
  /** Name of the input, for errors. */
  file: string;
}

// Keys (field << 3 | wire type) of the fields read on the hot paths.
const K_VARINT_1 = (1 << 3) | VARINT;
const K_LEN_1 = (1 << 3) | LEN;
const K_VARINT_2 = (2 << 3) | VARINT;
const K_LEN_2 = (2 << 3) | LEN;
const K_LEN_3 = (3 << 3) | LEN;

/** Records of one kind: flat triples [key offset, first byte, end] of each top-level field. */
type Spans = number[];

/** A lookup from a uint64 id (a number, or its decimal string when not a safe integer) to a record. */
class IdTable<T extends { id: number }> {
  /** dense[id] for small ids; the rest in `sparse`. */
  private dense: (T | undefined)[] = [];
  private readonly sparse = new Map<number | string, T>();

  constructor(
    private readonly what: string,
    private readonly r: ProtoReader,
  ) {}

  /** Sizes the dense part for `count` records whose largest safe id is `maxId`. */
  reserve(count: number, maxId: number): void {
    const size = Math.min(maxId, count * 4 + 1024) + 1;
    const dense: (T | undefined)[] = [];
    for (let i = 0; i < size; i++) dense.push(undefined);
    this.dense = dense;
  }

  add(key: number | string, record: T, idAt: number): void {
    if (typeof key === 'number' && key < this.dense.length) {
      if (this.dense[key] !== undefined) throw this.r.error(idAt, `${this.what} id ${key} is used twice`);
      this.dense[key] = record;
      return;
    }
    if (this.sparse.has(key)) throw this.r.error(idAt, `${this.what} id ${key} is used twice`);
    this.sparse.set(key, record);
  }

  get(key: number | string): T | undefined {
    return typeof key === 'number' && key < this.dense.length ? this.dense[key] : this.sparse.get(key);
  }
}

/** The `locations`/`labels` of a sample without any: shared and frozen. */
const NO_LOCATIONS = Object.freeze([]) as unknown as ProfileLocation[];
const NO_LABELS = Object.freeze([]) as unknown as ProfileLabel[];

/**
 * Decoded values keyed by the bytes they were decoded from, so equal bytes decode once and share one
 * frozen result: an open-addressing hash table (FNV-1a of the bytes, linear probing) whose slots
 * hold entry numbers; a hit is confirmed by comparing the bytes. `get` remembers the span and slot
 * for the `add` that follows a miss.
 */
class SpanInterner<T extends object> {
  private slots = new Int32Array(1024); // entry + 1; 0 = empty
  private mask = 1023;
  private readonly values: T[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly hashes: number[] = [];
  private start = 0;
  private end = 0;
  private hash = 0;
  private slot = 0;

  constructor(private readonly buf: Uint8Array) {}

  get(start: number, end: number): T | undefined {
    const b = this.buf;
    let h = 0x811c9dc5 | 0;
    for (let j = start; j < end; j++) h = Math.imul(h ^ b[j]!, 0x01000193);
    this.start = start;
    this.end = end;
    this.hash = h;
    const len = end - start;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const c = slots[i]! - 1;
      if (c < 0) {
        this.slot = i;
        return undefined;
      }
      if (this.hashes[c] !== h) continue;
      const s = this.starts[c]!;
      if (this.ends[c]! - s !== len) continue;
      let j = 0;
      while (j < len && b[s + j] === b[start + j]) j++;
      if (j === len) return this.values[c];
    }
  }

  /** Stores `value` (frozen) under the span of the last `get`, which missed. */
  add(value: T): T {
    const c = this.values.length;
    this.values.push(Object.freeze(value));
    this.starts.push(this.start);
    this.ends.push(this.end);
    this.hashes.push(this.hash);
    this.slots[this.slot] = c + 1;
    if ((c + 1) * 2 > this.mask) this.grow();
    return value;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let c = 0; c < this.values.length; c++) {
      let i = this.hashes[c]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = c + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * Frozen `values` arrays shared between samples with equal values (CPU profiles: most samples are
 * `[1, 10000000]`; heap profiles repeat sizes), found by a hash of the numbers. It stops looking
 * (and only copies) once it sees that a profile's values rarely repeat.
 */
class ValuesInterner {
  private slots = new Int32Array(1024); // entry + 1; 0 = empty
  private mask = 1023;
  private readonly values: number[][] = [];
  private readonly hashes: number[] = [];
  private lookups = 0;
  private hits = 0;
  private enabled = true;

  /** `scratch[0, n)` as a frozen array: a shared one when seen before. */
  intern(scratch: number[], n: number): number[] {
    if (!this.enabled) return Object.freeze(scratch.slice(0, n)) as number[];
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < n; i++) {
      const v = scratch[i]!;
      h = Math.imul(h ^ (v | 0), 0x01000193);
      h = Math.imul(h ^ ((v / 4294967296) | 0), 0x01000193);
    }
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const c = slots[i]! - 1;
      if (c < 0) break;
      if (this.hashes[c] !== h) continue;
      const cand = this.values[c]!;
      if (cand.length !== n) continue;
      let j = 0;
      while (j < n && cand[j] === scratch[j]) j++;
      if (j === n) {
        this.hits++;
        this.lookups++;
        return cand;
      }
    }
    const copy = Object.freeze(scratch.slice(0, n)) as number[];
    if (++this.lookups === 4096 && this.hits < 1024) this.enabled = false;
    const c = this.values.length;
    this.values.push(copy as number[]);
    this.hashes.push(h);
    slots[i] = c + 1;
    if ((c + 1) * 2 > mask) this.grow();
    return copy;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let c = 0; c < this.values.length; c++) {
      let i = this.hashes[c]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = c + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** The sample being decoded, for the general path of decodeSamples. */
interface SampleCursor {
  locations: ProfileLocation[];
  labels: ProfileLabel[];
  values: number[];
  n: number;
}

/** `a` itself if it is not frozen (ours to extend), else a copy. */
function ownArray<T>(a: T[]): T[] {
  return Object.isFrozen(a) ? a.slice() : a;
}

/** Decodes a raw profile.proto. Throws MalformedInputError (TruncatedInputError when cut) with the byte offset. */
export function decodeProfile(bytes: Uint8Array, opts: DecodeOptions): Profile {
  return new ProfileDecoder(bytes, opts.file).decode();
}

class ProfileDecoder {
  private readonly r: ProtoReader;
  private readonly text: Buffer;
  private strings: string[] = [];

  // Where each repeated message of Profile is (pass 1).
  private readonly sampleTypeSpans: Spans = [];
  /** Samples are many: only where the first starts and the last ends, and how many (pass 2 walks them). */
  private samplesFrom = -1;
  private samplesTo = -1;
  private sampleCount = 0;
  private readonly mappingSpans: Spans = [];
  private readonly locationSpans: Spans = [];
  private readonly functionSpans: Spans = [];
  private readonly stringSpans: Spans = [];
  private readonly periodTypeSpans: Spans = [];
  /** String indices of scalar fields, each with the offset of its varint (-1: absent). */
  private dropFrames = 0;
  private dropFramesAt = -1;
  private keepFrames = 0;
  private keepFramesAt = -1;
  private defaultSampleType = 0;
  private defaultSampleTypeAt = -1;
  private docUrl = 0;
  private docUrlAt = -1;
  private readonly comments: number[] = [];
  private readonly commentsAt: number[] = [];
  private timeNanos = 0;
  private timeNanosAt = -1;
  private durationNanos = 0;
  private period = 0;

  private readonly mappings: IdTable<ProfileMapping>;
  private readonly functions: IdTable<ProfileFunction>;
  private readonly locations: IdTable<ProfileLocation>;
  private readonly cur: SampleCursor = { locations: NO_LOCATIONS, labels: NO_LABELS, values: [], n: 0 };
  private readonly stacks: SpanInterner<ProfileLocation[]>;
  private readonly labelSets: SpanInterner<ProfileLabel[]>;
  private readonly valueSets = new ValuesInterner();
  /** The values of the sample being decoded, before valueSets.intern copies or finds them. */
  private scratch: number[] = [];

  constructor(bytes: Uint8Array, file: string) {
    this.r = new ProtoReader(bytes, file);
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.mappings = new IdTable('mapping', this.r);
    this.functions = new IdTable('function', this.r);
    this.locations = new IdTable('location', this.r);
    this.stacks = new SpanInterner(bytes);
    this.labelSets = new SpanInterner(bytes);
  }

  decode(): Profile {
    const r = this.r;
    if (r.length === 0) throw r.truncated(0, 'empty input: a profile has at least a string table');
    this.index();
    this.decodeStrings();
    const sampleTypes = this.valueTypes(this.sampleTypeSpans);
    const periodTypes = this.valueTypes(this.periodTypeSpans);
    const mappings = this.decodeMappings();
    const functions = this.decodeFunctions();
    const locations = this.decodeLocations();
    const samples = this.decodeSamples(sampleTypes.length);
    const defaultType = this.str(this.defaultSampleType, this.defaultSampleTypeAt);
    const comments: string[] = [];
    for (let i = 0; i < this.comments.length; i++) comments.push(this.str(this.comments[i]!, this.commentsAt[i]!));
    const profile: Profile = {
      sampleTypes,
      samples,
      mappings,
      locations,
      functions,
      dropFrames: this.str(this.dropFrames, this.dropFramesAt),
      keepFrames: this.str(this.keepFrames, this.keepFramesAt),
      timeNanos: this.timeNanos,
      durationNanos: this.durationNanos,
      period: this.period,
      comments,
      defaultSampleType: defaultType === '' ? -1 : sampleTypes.findIndex((t) => t.type === defaultType),
      docUrl: this.str(this.docUrl, this.docUrlAt),
    };
    // ValueType period_type = 11 (a message field seen twice is merged: the later fields win)
    if (periodTypes.length > 0) profile.periodType = this.mergedPeriodType(periodTypes);
    return profile;
  }

  // -------------------------------------------------------------------------------------------
  // Pass 1: the top-level fields of Profile.

  private index(): void {
    const r = this.r;
    const end = r.length;
    while (r.pos < end) {
      const keyAt = r.pos;
      const key = r.key(end);
      const field = key >>> 3;
      const wire = key & 7;
      switch (field) {
        case 1: // repeated ValueType sample_type = 1
          this.span(this.sampleTypeSpans, keyAt, wire, 'Profile.sample_type');
          break;
        case 2: {
          // repeated Sample sample = 2
          if (wire !== LEN) throw r.wrongWire(keyAt, 'Profile.sample', wire, 'LEN');
          r.pos = r.len(end, keyAt, 'Profile.sample');
          if (this.samplesFrom < 0) this.samplesFrom = keyAt;
          this.samplesTo = r.pos;
          this.sampleCount++;
          break;
        }
        case 3: // repeated Mapping mapping = 3
          this.span(this.mappingSpans, keyAt, wire, 'Profile.mapping');
          break;
        case 4: // repeated Location location = 4
          this.span(this.locationSpans, keyAt, wire, 'Profile.location');
          break;
        case 5: // repeated Function function = 5
          this.span(this.functionSpans, keyAt, wire, 'Profile.function');
          break;
        case 6: // repeated string string_table = 6
          this.span(this.stringSpans, keyAt, wire, 'Profile.string_table');
          break;
        case 7: // int64 drop_frames = 7 (index into string_table)
          this.dropFramesAt = this.scalarAt(keyAt, wire, 'Profile.drop_frames');
          this.dropFrames = r.int64(end);
          break;
        case 8: // int64 keep_frames = 8 (index into string_table)
          this.keepFramesAt = this.scalarAt(keyAt, wire, 'Profile.keep_frames');
          this.keepFrames = r.int64(end);
          break;
        case 9: // int64 time_nanos = 9
          if (this.timeNanosAt >= 0) {
            throw r.error(keyAt, `second time_nanos (the first at byte ${this.timeNanosAt}): concatenated profiles`);
          }
          this.timeNanosAt = this.scalarAt(keyAt, wire, 'Profile.time_nanos');
          this.timeNanos = r.int64(end);
          break;
        case 10: // int64 duration_nanos = 10
          this.scalarAt(keyAt, wire, 'Profile.duration_nanos');
          this.durationNanos = r.int64(end);
          break;
        case 11: // ValueType period_type = 11
          this.span(this.periodTypeSpans, keyAt, wire, 'Profile.period_type');
          break;
        case 12: // int64 period = 12
          this.scalarAt(keyAt, wire, 'Profile.period');
          this.period = r.int64(end);
          break;
        case 13: // repeated int64 comment = 13 (indices into string_table; packed or not)
          if (wire === LEN) {
            const e = r.len(end, keyAt, 'Profile.comment');
            while (r.pos < e) {
              this.commentsAt.push(r.pos);
              this.comments.push(r.int64(e));
            }
          } else {
            this.commentsAt.push(this.scalarAt(keyAt, wire, 'Profile.comment', 'VARINT or LEN (packed)'));
            this.comments.push(r.int64(end));
          }
          break;
        case 14: // int64 default_sample_type = 14 (index into string_table)
          this.defaultSampleTypeAt = this.scalarAt(keyAt, wire, 'Profile.default_sample_type');
          this.defaultSampleType = r.int64(end);
          break;
        case 15: // int64 doc_url = 15 (index into string_table)
          this.docUrlAt = this.scalarAt(keyAt, wire, 'Profile.doc_url');
          this.docUrl = r.int64(end);
          break;
        default:
          r.skip(wire, end, keyAt, field);
      }
    }
  }

  /** Notes a LEN field's bytes in `spans` and moves past them. */
  private span(spans: Spans, keyAt: number, wire: number, what: string): void {
    const r = this.r;
    if (wire !== LEN) throw r.wrongWire(keyAt, what, wire, 'LEN');
    const end = r.len(r.length, keyAt, what);
    spans.push(keyAt, r.pos, end);
    r.pos = end;
  }

  /** Checks a VARINT field's wire type; returns the offset of its value. */
  private scalarAt(keyAt: number, wire: number, what: string, want = 'VARINT'): number {
    if (wire !== VARINT) throw this.r.wrongWire(keyAt, what, wire, want);
    return this.r.pos;
  }

  // -------------------------------------------------------------------------------------------
  // Pass 2: the records.

  /** repeated string string_table = 6 */
  private decodeStrings(): void {
    const spans = this.stringSpans;
    if (spans.length === 0) throw this.r.error(this.r.length, 'no string_table: string_table[0] must be ""');
    const b = this.r.buf;
    const strings: string[] = [];
    for (let i = 0; i < spans.length; i += 3) {
      const start = spans[i + 1]!;
      const end = spans[i + 2]!;
      let ascii = true;
      for (let j = start; j < end; j++) {
        if (b[j]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      strings.push(ascii ? this.text.toString('latin1', start, end) : this.text.toString('utf8', start, end));
    }
    if (strings[0] !== '') throw this.r.error(spans[0]!, `string_table[0] must be "", got ${JSON.stringify(strings[0])}`);
    this.strings = strings;
  }

  /** The string at index `i` (an int64 read at byte `at`). */
  private str(i: number, at: number): string {
    const s = this.strings[i];
    if (s === undefined) throw this.badString(i, at);
    return s;
  }

  private badString(i: number, at: number): Error {
    return this.r.error(at, `string index ${i} out of range (string_table has ${this.strings.length} entries)`);
  }

  /** Reads an int64 string index at `pos` and looks it up. */
  private readStr(end: number): string {
    const r = this.r;
    const at = r.pos;
    const s = this.strings[r.int64(end)];
    if (s === undefined) {
      r.pos = at;
      throw this.badString(r.int64(end), at);
    }
    return s;
  }

  /** message ValueType { int64 type = 1; int64 unit = 2; } */
  private valueTypes(spans: Spans): ValueType[] {
    const r = this.r;
    const out: ValueType[] = [];
    for (let i = 0; i < spans.length; i += 3) {
      r.pos = spans[i + 1]!;
      const end = spans[i + 2]!;
      let type = '';
      let unit = '';
      while (r.pos < end) {
        const keyAt = r.pos;
        const key = r.key(end);
        switch (key >>> 3) {
          case 1: // int64 type = 1
            this.scalarAt(keyAt, key & 7, 'ValueType.type');
            type = this.readStr(end);
            break;
          case 2: // int64 unit = 2
            this.scalarAt(keyAt, key & 7, 'ValueType.unit');
            unit = this.readStr(end);
            break;
          default:
            r.skip(key & 7, end, keyAt, key >>> 3);
        }
      }
      out.push({ type, unit });
    }
    return out;
  }

  /** A ValueType field seen more than once merges: each field's last value wins. */
  private mergedPeriodType(types: ValueType[]): ValueType {
    if (types.length === 1) return types[0]!;
    const merged: ValueType = { type: '', unit: '' };
    for (const t of types) {
      if (t.type !== '') merged.type = t.type;
      if (t.unit !== '') merged.unit = t.unit;
    }
    return merged;
  }

  /**
   * message Mapping { uint64 id = 1; uint64 memory_start = 2; uint64 memory_limit = 3; uint64 file_offset = 4;
   *   int64 filename = 5; int64 build_id = 6; bool has_functions = 7; bool has_filenames = 8;
   *   bool has_line_numbers = 9; bool has_inline_frames = 10; }
   */
  private decodeMappings(): ProfileMapping[] {
    const r = this.r;
    const spans = this.mappingSpans;
    const out: ProfileMapping[] = [];
    const keys: (number | string)[] = [];
    const idsAt: number[] = [];
    for (let i = 0; i < spans.length; i += 3) {
      r.pos = spans[i + 1]!;
      const end = spans[i + 2]!;
      const m: ProfileMapping = {
        id: 0,
        memoryStart: 0n,
        memoryLimit: 0n,
        fileOffset: 0n,
        filename: '',
        buildId: '',
        hasFunctions: false,
        hasFilenames: false,
        hasLineNumbers: false,
        hasInlineFrames: false,
      };
      let key: number | string = 0;
      let idAt = spans[i]!;
      while (r.pos < end) {
        const keyAt = r.pos;
        const k = r.key(end);
        const wire = k & 7;
        switch (k >>> 3) {
          case 1: // uint64 id = 1
            idAt = this.scalarAt(keyAt, wire, 'Mapping.id');
            key = r.id(end);
            m.id = Number(key);
            break;
          case 2: // uint64 memory_start = 2
            this.scalarAt(keyAt, wire, 'Mapping.memory_start');
            m.memoryStart = r.uint64(end);
            break;
          case 3: // uint64 memory_limit = 3
            this.scalarAt(keyAt, wire, 'Mapping.memory_limit');
            m.memoryLimit = r.uint64(end);
            break;
          case 4: // uint64 file_offset = 4
            this.scalarAt(keyAt, wire, 'Mapping.file_offset');
            m.fileOffset = r.uint64(end);
            break;
          case 5: // int64 filename = 5 (index into string_table)
            this.scalarAt(keyAt, wire, 'Mapping.filename');
            m.filename = this.readStr(end);
            break;
          case 6: // int64 build_id = 6 (index into string_table)
            this.scalarAt(keyAt, wire, 'Mapping.build_id');
            m.buildId = this.readStr(end);
            break;
          case 7: // bool has_functions = 7
            this.scalarAt(keyAt, wire, 'Mapping.has_functions');
            m.hasFunctions = r.bool(end);
            break;
          case 8: // bool has_filenames = 8
            this.scalarAt(keyAt, wire, 'Mapping.has_filenames');
            m.hasFilenames = r.bool(end);
            break;
          case 9: // bool has_line_numbers = 9
            this.scalarAt(keyAt, wire, 'Mapping.has_line_numbers');
            m.hasLineNumbers = r.bool(end);
            break;
          case 10: // bool has_inline_frames = 10
            this.scalarAt(keyAt, wire, 'Mapping.has_inline_frames');
            m.hasInlineFrames = r.bool(end);
            break;
          default:
            r.skip(wire, end, keyAt, k >>> 3);
        }
      }
      if (key === 0) throw r.error(spans[i]!, 'mapping without an id (id 0 is reserved)');
      out.push(m);
      keys.push(key);
      idsAt.push(idAt);
    }
    this.fillTable(this.mappings, out, keys, idsAt);
    return out;
  }

  /** message Function { uint64 id = 1; int64 name = 2; int64 system_name = 3; int64 filename = 4; int64 start_line = 5; } */
  private decodeFunctions(): ProfileFunction[] {
    const r = this.r;
    const spans = this.functionSpans;
    const out: ProfileFunction[] = [];
    const keys: (number | string)[] = [];
    const idsAt: number[] = [];
    for (let i = 0; i < spans.length; i += 3) {
      r.pos = spans[i + 1]!;
      const end = spans[i + 2]!;
      const f: ProfileFunction = { id: 0, name: '', systemName: '', filename: '', startLine: 0 };
      let key: number | string = 0;
      let idAt = spans[i]!;
      while (r.pos < end) {
        const keyAt = r.pos;
        const k = r.key(end);
        const wire = k & 7;
        switch (k >>> 3) {
          case 1: // uint64 id = 1
            idAt = this.scalarAt(keyAt, wire, 'Function.id');
            key = r.id(end);
            f.id = Number(key);
            break;
          case 2: // int64 name = 2 (index into string_table)
            this.scalarAt(keyAt, wire, 'Function.name');
            f.name = this.readStr(end);
            break;
          case 3: // int64 system_name = 3 (index into string_table)
            this.scalarAt(keyAt, wire, 'Function.system_name');
            f.systemName = this.readStr(end);
            break;
          case 4: // int64 filename = 4 (index into string_table)
            this.scalarAt(keyAt, wire, 'Function.filename');
            f.filename = this.readStr(end);
            break;
          case 5: // int64 start_line = 5
            this.scalarAt(keyAt, wire, 'Function.start_line');
            f.startLine = r.int64(end);
            break;
          default:
            r.skip(wire, end, keyAt, k >>> 3);
        }
      }
      if (key === 0) throw r.error(spans[i]!, 'function without an id (id 0 is reserved)');
      out.push(f);
      keys.push(key);
      idsAt.push(idAt);
    }
    this.fillTable(this.functions, out, keys, idsAt);
    return out;
  }

  /** message Location { uint64 id = 1; uint64 mapping_id = 2; uint64 address = 3; repeated Line line = 4; bool is_folded = 5; } */
  private decodeLocations(): ProfileLocation[] {
    const r = this.r;
    const spans = this.locationSpans;
    const out: ProfileLocation[] = [];
    const keys: (number | string)[] = [];
    const idsAt: number[] = [];
    for (let i = 0; i < spans.length; i += 3) {
      r.pos = spans[i + 1]!;
      const end = spans[i + 2]!;
      const loc: ProfileLocation = { id: 0, mapping: undefined, address: 0n, lines: [], isFolded: false };
      let key: number | string = 0;
      let idAt = spans[i]!;
      while (r.pos < end) {
        const keyAt = r.pos;
        const k = r.key(end);
        const wire = k & 7;
        switch (k >>> 3) {
          case 1: // uint64 id = 1
            idAt = this.scalarAt(keyAt, wire, 'Location.id');
            key = r.id(end);
            loc.id = Number(key);
            break;
          case 2: {
            // uint64 mapping_id = 2 (0: none)
            const at = this.scalarAt(keyAt, wire, 'Location.mapping_id');
            const id = r.id(end);
            if (id === 0) loc.mapping = undefined;
            else {
              const m = this.mappings.get(id);
              if (m === undefined) throw r.error(at, `Location.mapping_id ${id} names no mapping`);
              loc.mapping = m;
            }
            break;
          }
          case 3: // uint64 address = 3
            this.scalarAt(keyAt, wire, 'Location.address');
            loc.address = r.uint64(end);
            break;
          case 4: // repeated Line line = 4
            if (wire !== LEN) throw r.wrongWire(keyAt, 'Location.line', wire, 'LEN');
            loc.lines.push(this.line(r.len(end, keyAt, 'Location.line'), keyAt));
            break;
          case 5: // bool is_folded = 5
            this.scalarAt(keyAt, wire, 'Location.is_folded');
            loc.isFolded = r.bool(end);
            break;
          default:
            r.skip(wire, end, keyAt, k >>> 3);
        }
      }
      if (key === 0) throw r.error(spans[i]!, 'location without an id (id 0 is reserved)');
      out.push(loc);
      keys.push(key);
      idsAt.push(idAt);
    }
    this.fillTable(this.locations, out, keys, idsAt);
    return out;
  }

  /** message Line { uint64 function_id = 1; int64 line = 2; int64 column = 3; } — bytes [pos, end). */
  private line(end: number, lineAt: number): ProfileLine {
    const r = this.r;
    let fn: ProfileFunction | undefined;
    let fnAt = lineAt;
    let fnId: number | string = 0;
    let line = 0;
    let column = 0;
    while (r.pos < end) {
      const keyAt = r.pos;
      const k = r.key(end);
      const wire = k & 7;
      switch (k >>> 3) {
        case 1: // uint64 function_id = 1
          fnAt = this.scalarAt(keyAt, wire, 'Line.function_id');
          fnId = r.id(end);
          fn = this.functions.get(fnId);
          break;
        case 2: // int64 line = 2
          this.scalarAt(keyAt, wire, 'Line.line');
          line = r.int64(end);
          break;
        case 3: // int64 column = 3
          this.scalarAt(keyAt, wire, 'Line.column');
          column = r.int64(end);
          break;
        default:
          r.skip(wire, end, keyAt, k >>> 3);
      }
    }
    if (fn === undefined) {
      throw r.error(fnAt, fnId === 0 ? 'Line without a function_id' : `Line.function_id ${fnId} names no function`);
    }
    return { function: fn, line, column };
  }

  /**
   * message Sample { repeated uint64 location_id = 1; repeated int64 value = 2; repeated Label label = 3; }
   * The hot loop. Walks the top-level fields from the first sample to the last (pass 1 checked their
   * keys and lengths) and decodes each Sample: a fast path for the packed fields with 1-byte keys and
   * lengths, the general one (`sampleField`) for everything else — unpacked elements, repeats,
   * unknown fields, errors. Samples whose location_id (or label) field has the same bytes share one
   * frozen array: a Go heap profile has a sample per (stack, size) pair, so most stacks repeat
   * (bigheap: 16 samples each).
   */
  private decodeSamples(types: number): ProfileSample[] {
    const r = this.r;
    const b = r.buf;
    const count = this.sampleCount;
    const out: ProfileSample[] = new Array(count);
    if (count === 0) return out;
    if (types === 0) throw r.error(this.samplesFrom, 'samples but no sample_type');
    const to = this.samplesTo;
    this.scratch = new Array<number>(types).fill(0);
    let n = 0;
    for (let at = this.samplesFrom; at < to; ) {
      // top-level fields, already checked by pass 1: a key, and a length for LEN ones
      const len = b[at + 1]!;
      if (b[at] === K_LEN_2 && len < 0x80) {
        out[n++] = this.sample(at, at + 2, at + 2 + len, types);
        at += 2 + len;
        continue;
      }
      r.pos = at;
      const key = r.key(to);
      if (key === K_LEN_2) {
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
    while (p < end) {
      const k = b[p]!;
      const len = b[p + 1]!;
      const s = p + 2;
      const e = s + len;
      if (k === K_LEN_2 && len < 0x80 && e <= end) {
        // repeated int64 value = 2, packed
        for (let q = s; q < e; ) {
          const x = b[q]!;
          if (x < 0x80 && n < types) {
            values[n++] = x;
            q++;
          } else {
            q = this.longValue(values, n++, q, e, types, sampleAt);
          }
        }
        p = e;
      } else if (k === K_LEN_1 && len < 0x80 && e <= end && locations.length === 0) {
        // repeated uint64 location_id = 1, packed
        locations = this.stacks.get(s, e) ?? this.stacks.add(this.packedLocations(s, e));
        p = e;
      } else if (k === K_LEN_3 && len < 0x80 && e <= end && labels.length === 0) {
        // repeated Label label = 3
        labels = this.labelSets.get(s, e) ?? this.labelSets.add([this.labelAt(s, e)]);
        p = e;
      } else {
        const cur = this.cur;
        cur.locations = locations;
        cur.labels = labels;
        cur.values = values;
        cur.n = n;
        this.r.pos = p;
        this.sampleField(end, types, sampleAt);
        p = this.r.pos;
        locations = cur.locations;
        labels = cur.labels;
        n = cur.n;
      }
    }
    if (n !== types) throw this.r.error(sampleAt, `sample has ${n} values, want one per sample_type (${types})`);
    if (!Object.isFrozen(locations)) Object.freeze(locations);
    if (!Object.isFrozen(labels)) Object.freeze(labels);
    return { locations, values: this.valueSets.intern(values, types), labels };
  }

  /** values[n] = the int64 varint at `q` (below `end`); returns the offset after it. */
  private longValue(values: number[], n: number, q: number, end: number, types: number, sampleAt: number): number {
    if (n >= types) throw this.tooManyValues(sampleAt, types);
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
        const locations = ownArray(cur.locations);
        while (r.pos < e) locations.push(this.sampleLocation(e));
        cur.locations = locations;
        break;
      }
      case K_VARINT_1: // repeated uint64 location_id = 1, one element
        (cur.locations = ownArray(cur.locations)).push(this.sampleLocation(end));
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
      case K_LEN_3: // repeated Label label = 3
        (cur.labels = ownArray(cur.labels)).push(this.label(r.len(end, keyAt, 'Sample.label')));
        break;
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

  private tooManyValues(at: number, types: number): Error {
    return this.r.error(at, `sample has more values than sample types (${types})`);
  }

  /** A packed Sample.location_id, resolved: the varints in [start, end). */
  private packedLocations(start: number, end: number): ProfileLocation[] {
    const r = this.r;
    const b = r.buf;
    let count = 0;
    for (let j = start; j < end; j++) if (b[j]! < 0x80) count++;
    const out: ProfileLocation[] = new Array(count);
    r.pos = start;
    // a varint cut by `end` throws in sampleLocation, so at most `count` are stored
    for (let n = 0; r.pos < end; n++) out[n] = this.sampleLocation(end);
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
    let str = '';
    let num = 0;
    let unit = '';
    while (r.pos < end) {
      const keyAt = r.pos;
      const k = r.key(end);
      const wire = k & 7;
      switch (k >>> 3) {
        case 1: // int64 key = 1 (index into string_table)
          this.scalarAt(keyAt, wire, 'Label.key');
          key = this.readStr(end);
          break;
        case 2: // int64 str = 2 (index into string_table)
          this.scalarAt(keyAt, wire, 'Label.str');
          str = this.readStr(end);
          break;
        case 3: // int64 num = 3
          this.scalarAt(keyAt, wire, 'Label.num');
          num = r.int64(end);
          break;
        case 4: // int64 num_unit = 4 (index into string_table)
          this.scalarAt(keyAt, wire, 'Label.num_unit');
          unit = this.readStr(end);
          break;
        default:
          r.skip(wire, end, keyAt, k >>> 3);
      }
    }
    if (str !== '') return { key, str };
    return unit === '' ? { key, num } : { key, num, numUnit: unit };
  }

  /** Indexes decoded records by id (non-zero and unique: checked by IdTable.add). */
  private fillTable<T extends { id: number }>(
    table: IdTable<T>,
    records: T[],
    keys: (number | string)[],
    idsAt: number[],
  ): void {
    let maxId = 0;
    for (const k of keys) if (typeof k === 'number' && k > maxId) maxId = k;
    table.reserve(records.length, maxId);
    for (let i = 0; i < records.length; i++) table.add(keys[i]!, records[i]!, idsAt[i]!);
  }
}
