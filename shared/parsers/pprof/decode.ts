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
 * The records are decoded straight into the model, without a stage of protobuf-shaped objects in
 * between: this is the hot path of heap-profile analysis (bigheap: 262,166 samples, 12.4 MB). The
 * samples, most of the work, are samples.ts; the string table, id tables and interner tables.ts.
 *
 * Rules, as pprof's own reader (profile.ParseData + CheckValid) applies them: string_table[0] is "";
 * ids of mappings, functions and locations are non-zero and unique; every Sample.location_id and
 * Line.function_id resolves; Location.mapping_id resolves or is 0 (none); every sample has one value
 * per sample type; a second time_nanos means concatenated profiles, refused.
 */
import type {
  Profile,
  ProfileFunction,
  ProfileLine,
  ProfileLocation,
  ProfileMapping,
  ValueType,
} from '../../model/profile.js';
import { K_PROFILE_SAMPLE, SampleDecoder } from './samples.js';
import { IdTable, StringTable } from './tables.js';
import { LEN, ProtoReader } from './wire.js';

export interface DecodeOptions {
  /** Name of the input, for errors. */
  file: string;
}

/** Records of one kind: flat triples [key offset, first byte, end] of each top-level field. */
type Spans = number[];

/** Decodes a raw profile.proto. Throws MalformedInputError (TruncatedInputError when cut) with the byte offset. */
export function decodeProfile(bytes: Uint8Array, opts: DecodeOptions): Profile {
  return new ProfileDecoder(bytes, opts.file).decode();
}

class ProfileDecoder {
  private readonly r: ProtoReader;
  private readonly strings: StringTable;

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
  /** The key of time_nanos, once seen. */
  private timeNanosAt = -1;
  private durationNanos = 0;
  private period = 0;

  private readonly mappings: IdTable<ProfileMapping>;
  private readonly functions: IdTable<ProfileFunction>;
  private readonly locations: IdTable<ProfileLocation>;

  constructor(bytes: Uint8Array, file: string) {
    this.r = new ProtoReader(bytes, file);
    this.strings = new StringTable(this.r);
    this.mappings = new IdTable('mapping', this.r);
    this.functions = new IdTable('function', this.r);
    this.locations = new IdTable('location', this.r);
  }

  decode(): Profile {
    const r = this.r;
    if (r.length === 0) throw r.truncated(0, 'empty input: a profile has at least a string table');
    this.index();
    this.strings.decode(this.stringSpans);
    const sampleTypes = this.valueTypes(this.sampleTypeSpans);
    const periodTypes = this.valueTypes(this.periodTypeSpans);
    const mappings = this.decodeMappings();
    const functions = this.decodeFunctions();
    const locations = this.decodeLocations();
    const range = { from: this.samplesFrom, to: this.samplesTo, count: this.sampleCount };
    const samples = new SampleDecoder(r, this.strings, this.locations).decode(range, sampleTypes.length);
    const defaultType = this.strings.at(this.defaultSampleType, this.defaultSampleTypeAt);
    const comments: string[] = [];
    for (let i = 0; i < this.comments.length; i++) comments.push(this.strings.at(this.comments[i]!, this.commentsAt[i]!));
    const profile: Profile = {
      sampleTypes,
      samples,
      mappings,
      locations,
      functions,
      dropFrames: this.strings.at(this.dropFrames, this.dropFramesAt),
      keepFrames: this.strings.at(this.keepFrames, this.keepFramesAt),
      timeNanos: this.timeNanos,
      durationNanos: this.durationNanos,
      period: this.period,
      comments,
      defaultSampleType: defaultType === '' ? -1 : sampleTypes.findIndex((t) => t.type === defaultType),
      docUrl: this.strings.at(this.docUrl, this.docUrlAt),
    };
    // ValueType period_type = 11: seen twice, the last one counts (as pprof and pprof-format read it)
    if (periodTypes.length > 0) profile.periodType = periodTypes[periodTypes.length - 1]!;
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
          this.sampleCount++;
          r.pos = this.sampleRun(r.pos, end);
          this.samplesTo = r.pos;
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
          this.dropFramesAt = r.scalar(keyAt, wire, 'Profile.drop_frames');
          this.dropFrames = r.int64(end);
          break;
        case 8: // int64 keep_frames = 8 (index into string_table)
          this.keepFramesAt = r.scalar(keyAt, wire, 'Profile.keep_frames');
          this.keepFrames = r.int64(end);
          break;
        case 9: // int64 time_nanos = 9
          if (this.timeNanosAt >= 0) {
            throw r.error(keyAt, `second time_nanos (the first at byte ${this.timeNanosAt}): concatenated profiles`);
          }
          r.scalar(keyAt, wire, 'Profile.time_nanos');
          this.timeNanosAt = keyAt;
          this.timeNanos = r.int64(end);
          break;
        case 10: // int64 duration_nanos = 10
          r.scalar(keyAt, wire, 'Profile.duration_nanos');
          this.durationNanos = r.int64(end);
          break;
        case 11: // ValueType period_type = 11
          this.span(this.periodTypeSpans, keyAt, wire, 'Profile.period_type');
          break;
        case 12: // int64 period = 12
          r.scalar(keyAt, wire, 'Profile.period');
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
            this.commentsAt.push(r.scalar(keyAt, wire, 'Profile.comment', 'VARINT or LEN (packed)'));
            this.comments.push(r.int64(end));
          }
          break;
        case 14: // int64 default_sample_type = 14 (index into string_table)
          this.defaultSampleTypeAt = r.scalar(keyAt, wire, 'Profile.default_sample_type');
          this.defaultSampleType = r.int64(end);
          break;
        case 15: // int64 doc_url = 15 (index into string_table)
          this.docUrlAt = r.scalar(keyAt, wire, 'Profile.doc_url');
          this.docUrl = r.int64(end);
          break;
        default:
          r.skip(wire, end, keyAt, field);
      }
    }
  }

  /**
   * Skips the samples that follow one another with 1-byte keys and lengths (a Go profile's are all
   * together), counting them; returns where the run ends. Pass 1's hot loop.
   */
  private sampleRun(at: number, end: number): number {
    const b = this.r.buf;
    let n = 0;
    while (at + 1 < end && b[at] === K_PROFILE_SAMPLE) {
      const len = b[at + 1]!;
      if (len >= 0x80 || at + 2 + len > end) break;
      at += 2 + len;
      n++;
    }
    this.sampleCount += n;
    return at;
  }

  /** Notes a LEN field's bytes in `spans` and moves past them. */
  private span(spans: Spans, keyAt: number, wire: number, what: string): void {
    const r = this.r;
    if (wire !== LEN) throw r.wrongWire(keyAt, what, wire, 'LEN');
    const end = r.len(r.length, keyAt, what);
    spans.push(keyAt, r.pos, end);
    r.pos = end;
  }

  // -------------------------------------------------------------------------------------------
  // Pass 2: the records.

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
            r.scalar(keyAt, key & 7, 'ValueType.type');
            type = this.strings.read(end);
            break;
          case 2: // int64 unit = 2
            r.scalar(keyAt, key & 7, 'ValueType.unit');
            unit = this.strings.read(end);
            break;
          default:
            r.skip(key & 7, end, keyAt, key >>> 3);
        }
      }
      out.push({ type, unit });
    }
    return out;
  }

  /**
   * The records of one kind (Mapping, Function, Location): each decoded from its span by `field` into
   * a fresh `make()`, with the `uint64 id = 1` every one of them has read here; ids are non-zero, and
   * unique once `table` indexes them.
   */
  private records<T extends { id: number }>(
    spans: Spans,
    name: string,
    table: IdTable<T>,
    make: () => T,
    field: (rec: T, field: number, wire: number, keyAt: number, end: number) => void,
  ): T[] {
    const r = this.r;
    const idWhat = `${name}.id`;
    const out: T[] = [];
    const keys: (number | string)[] = [];
    const idsAt: number[] = [];
    for (let i = 0; i < spans.length; i += 3) {
      r.pos = spans[i + 1]!;
      const end = spans[i + 2]!;
      const rec = make();
      let key: number | string = 0;
      let idAt = spans[i]!;
      while (r.pos < end) {
        const keyAt = r.pos;
        const k = r.key(end);
        if (k >>> 3 === 1) {
          // uint64 id = 1
          idAt = r.scalar(keyAt, k & 7, idWhat);
          key = r.id(end);
          rec.id = Number(key);
        } else field(rec, k >>> 3, k & 7, keyAt, end);
      }
      if (key === 0) throw r.error(spans[i]!, `${name.toLowerCase()} without an id (id 0 is reserved)`);
      out.push(rec);
      keys.push(key);
      idsAt.push(idAt);
    }
    table.fill(out, keys, idsAt);
    return out;
  }

  /**
   * message Mapping { uint64 id = 1; uint64 memory_start = 2; uint64 memory_limit = 3; uint64 file_offset = 4;
   *   int64 filename = 5; int64 build_id = 6; bool has_functions = 7; bool has_filenames = 8;
   *   bool has_line_numbers = 9; bool has_inline_frames = 10; }
   */
  private decodeMappings(): ProfileMapping[] {
    const r = this.r;
    const newMapping = (): ProfileMapping => ({
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
    });
    return this.records(this.mappingSpans, 'Mapping', this.mappings, newMapping, (m, field, wire, keyAt, end) => {
      switch (field) {
        case 2: // uint64 memory_start = 2
          r.scalar(keyAt, wire, 'Mapping.memory_start');
          m.memoryStart = r.uint64(end);
          break;
        case 3: // uint64 memory_limit = 3
          r.scalar(keyAt, wire, 'Mapping.memory_limit');
          m.memoryLimit = r.uint64(end);
          break;
        case 4: // uint64 file_offset = 4
          r.scalar(keyAt, wire, 'Mapping.file_offset');
          m.fileOffset = r.uint64(end);
          break;
        case 5: // int64 filename = 5 (index into string_table)
          r.scalar(keyAt, wire, 'Mapping.filename');
          m.filename = this.strings.read(end);
          break;
        case 6: // int64 build_id = 6 (index into string_table)
          r.scalar(keyAt, wire, 'Mapping.build_id');
          m.buildId = this.strings.read(end);
          break;
        case 7: // bool has_functions = 7
          r.scalar(keyAt, wire, 'Mapping.has_functions');
          m.hasFunctions = r.bool(end);
          break;
        case 8: // bool has_filenames = 8
          r.scalar(keyAt, wire, 'Mapping.has_filenames');
          m.hasFilenames = r.bool(end);
          break;
        case 9: // bool has_line_numbers = 9
          r.scalar(keyAt, wire, 'Mapping.has_line_numbers');
          m.hasLineNumbers = r.bool(end);
          break;
        case 10: // bool has_inline_frames = 10
          r.scalar(keyAt, wire, 'Mapping.has_inline_frames');
          m.hasInlineFrames = r.bool(end);
          break;
        default:
          r.skip(wire, end, keyAt, field);
      }
    });
  }

  /** message Function { uint64 id = 1; int64 name = 2; int64 system_name = 3; int64 filename = 4; int64 start_line = 5; } */
  private decodeFunctions(): ProfileFunction[] {
    const r = this.r;
    const newFunction = (): ProfileFunction => ({ id: 0, name: '', systemName: '', filename: '', startLine: 0 });
    return this.records(this.functionSpans, 'Function', this.functions, newFunction, (f, field, wire, keyAt, end) => {
      switch (field) {
        case 2: // int64 name = 2 (index into string_table)
          r.scalar(keyAt, wire, 'Function.name');
          f.name = this.strings.read(end);
          break;
        case 3: // int64 system_name = 3 (index into string_table)
          r.scalar(keyAt, wire, 'Function.system_name');
          f.systemName = this.strings.read(end);
          break;
        case 4: // int64 filename = 4 (index into string_table)
          r.scalar(keyAt, wire, 'Function.filename');
          f.filename = this.strings.read(end);
          break;
        case 5: // int64 start_line = 5
          r.scalar(keyAt, wire, 'Function.start_line');
          f.startLine = r.int64(end);
          break;
        default:
          r.skip(wire, end, keyAt, field);
      }
    });
  }

  /** message Location { uint64 id = 1; uint64 mapping_id = 2; uint64 address = 3; repeated Line line = 4; bool is_folded = 5; } */
  private decodeLocations(): ProfileLocation[] {
    const r = this.r;
    const newLocation = (): ProfileLocation => ({ id: 0, mapping: undefined, address: 0n, lines: [], isFolded: false });
    return this.records(this.locationSpans, 'Location', this.locations, newLocation, (loc, field, wire, keyAt, end) => {
      switch (field) {
        case 2: {
          // uint64 mapping_id = 2 (0: none)
          const at = r.scalar(keyAt, wire, 'Location.mapping_id');
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
          r.scalar(keyAt, wire, 'Location.address');
          loc.address = r.uint64(end);
          break;
        case 4: // repeated Line line = 4
          if (wire !== LEN) throw r.wrongWire(keyAt, 'Location.line', wire, 'LEN');
          loc.lines.push(this.line(r.len(end, keyAt, 'Location.line'), keyAt));
          break;
        case 5: // bool is_folded = 5
          r.scalar(keyAt, wire, 'Location.is_folded');
          loc.isFolded = r.bool(end);
          break;
        default:
          r.skip(wire, end, keyAt, field);
      }
    });
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
          fnAt = r.scalar(keyAt, wire, 'Line.function_id');
          fnId = r.id(end);
          fn = this.functions.get(fnId);
          break;
        case 2: // int64 line = 2
          r.scalar(keyAt, wire, 'Line.line');
          line = r.int64(end);
          break;
        case 3: // int64 column = 3
          r.scalar(keyAt, wire, 'Line.column');
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
}
