/**
 * Is this raw profile.proto? A bounded structural check of the head, for kind detection only (the
 * decoder proper validates everything). https://github.com/google/pprof/blob/main/proto/profile.proto
 */

/** Mine (true), not mine (false), or need more bytes (undefined), as inferno's `is_applicable`. */
export type Verdict = boolean | undefined;

// ---------------------------------------------------------------------------------------------
// pprof: raw profile.proto. Protobuf wire format: each field is a varint key (field << 3 | wire
// type) then a varint (type 0) or a varint length and that many bytes (type 2).

/** How a field of a message is encoded: a varint, packed varints, bytes, or a nested message. */
type Wire = 'varint' | 'packed' | 'bytes' | Schema;
interface Schema {
  [field: number]: Wire;
}
// message ValueType { int64 type = 1; int64 unit = 2; }
const VALUE_TYPE: Schema = { 1: 'varint', 2: 'varint' };
// message Label { int64 key = 1; int64 str = 2; int64 num = 3; int64 num_unit = 4; }
const LABEL: Schema = { 1: 'varint', 2: 'varint', 3: 'varint', 4: 'varint' };
// message Sample { repeated uint64 location_id = 1; repeated int64 value = 2; repeated Label label = 3; }
const SAMPLE: Schema = { 1: 'packed', 2: 'packed', 3: LABEL };
// message Mapping { uint64 id = 1; memory_start = 2; memory_limit = 3; file_offset = 4; int64 filename = 5;
//   int64 build_id = 6; bool has_functions = 7; has_filenames = 8; has_line_numbers = 9; has_inline_frames = 10; }
const MAPPING: Schema = Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((f) => [f, 'varint' as const]));
// message Line { uint64 function_id = 1; int64 line = 2; int64 column = 3; }
const LINE: Schema = { 1: 'varint', 2: 'varint', 3: 'varint' };
// message Location { uint64 id = 1; uint64 mapping_id = 2; uint64 address = 3; repeated Line line = 4; bool is_folded = 5; }
const LOCATION: Schema = { 1: 'varint', 2: 'varint', 3: 'varint', 4: LINE, 5: 'varint' };
// message Function { uint64 id = 1; int64 name = 2; int64 system_name = 3; int64 filename = 4; int64 start_line = 5; }
const FUNCTION: Schema = { 1: 'varint', 2: 'varint', 3: 'varint', 4: 'varint', 5: 'varint' };
const PROFILE: Schema = {
  1: VALUE_TYPE, // repeated ValueType sample_type = 1
  2: SAMPLE, // repeated Sample sample = 2
  3: MAPPING, // repeated Mapping mapping = 3
  4: LOCATION, // repeated Location location = 4
  5: FUNCTION, // repeated Function function = 5
  6: 'bytes', // repeated string string_table = 6
  7: 'varint', // int64 drop_frames = 7
  8: 'varint', // int64 keep_frames = 8
  9: 'varint', // int64 time_nanos = 9
  10: 'varint', // int64 duration_nanos = 10
  11: VALUE_TYPE, // ValueType period_type = 11
  12: 'varint', // int64 period = 12
  13: 'packed', // repeated int64 comment = 13
  14: 'varint', // int64 default_sample_type = 14
  15: 'varint', // int64 doc_url = 15
};
/** Top-level fields a head must show before it is taken for a profile. */
const PPROF_MIN_FIELDS = 4;

/** Reads a varint at `at`; undefined when it runs past `end` or past 10 bytes. */
function varint(b: Uint8Array, at: number, end: number): [value: number, next: number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 10; i++) {
    value += (b[i]! & 0x7f) * scale;
    scale *= 128;
    if (b[i]! < 0x80) return [value, i + 1];
  }
  return undefined;
}

/** Whether b[at, end) is a sequence of fields of `schema` (nested messages checked too). */
function validMessage(b: Uint8Array, at: number, end: number, schema: Schema): boolean {
  while (at < end) {
    const key = varint(b, at, end);
    if (!key) return false;
    const wire = schema[Math.floor(key[0] / 8)];
    const type = key[0] % 8;
    if (wire === undefined) return false;
    if (type === 0 && (wire === 'varint' || wire === 'packed')) {
      const v = varint(b, key[1], end);
      if (!v) return false;
      at = v[1];
    } else if (type === 2 && wire !== 'varint') {
      const len = varint(b, key[1], end);
      if (!len || len[1] + len[0] > end) return false;
      const next = len[1] + len[0];
      if (wire === 'packed' && !validVarints(b, len[1], next)) return false;
      if (typeof wire === 'object' && !validMessage(b, len[1], next, wire)) return false;
      at = next;
    } else return false;
  }
  return true;
}

function validVarints(b: Uint8Array, at: number, end: number): boolean {
  while (at < end) {
    const v = varint(b, at, end);
    if (!v) return false;
    at = v[1];
  }
  return true;
}

/**
 * Mine when the head decodes as Profile fields (known numbers, right wire types, lengths that fit,
 * nested messages that decode): at least PPROF_MIN_FIELDS of them, of two field numbers or more, one
 * a nested message; or, for a whole small profile, every byte, with a string table. Random bytes
 * fail within a few fields, and text (whose letters are valid keys) at its first line break.
 * Example (Go heap profile): 5a 04 08 01 10 02 (period_type {type: 1, unit: 2}) 60 80 80 20 (period 524288) 0a 04 08 03 10 04 ...
 */
export function isPprof(head: Uint8Array, eof: boolean): Verdict {
  let at = 0;
  let fields = 0;
  let messages = 0;
  const numbers = new Set<number>();
  const convinced = () => fields >= PPROF_MIN_FIELDS && messages > 0 && numbers.size >= 2;
  // The head ends inside a field: judged by the fields before it. A whole input cut there is still a
  // profile when those fields convince ("mine but broken": the decoder reports where it breaks).
  const cut = (): Verdict => (convinced() ? true : eof ? false : undefined);
  // A varint that does not end within 10 bytes is invalid; one cut by the head's end is a cut.
  const badVarint = (from: number): Verdict => (head.length - from >= 10 ? false : cut());
  while (at < head.length) {
    const key = varint(head, at, head.length);
    if (!key) return badVarint(at);
    const field = Math.floor(key[0] / 8);
    const wire = PROFILE[field];
    const type = key[0] % 8;
    if (wire === undefined) return false;
    if (type === 0 && (wire === 'varint' || wire === 'packed')) {
      const v = varint(head, key[1], head.length);
      if (!v) return badVarint(key[1]);
      at = v[1];
    } else if (type === 2 && wire !== 'varint') {
      const len = varint(head, key[1], head.length);
      if (!len) return badVarint(key[1]);
      const next = len[1] + len[0];
      if (next > head.length) return cut();
      if (wire === 'packed' && !validVarints(head, len[1], next)) return false;
      if (typeof wire === 'object') {
        if (!validMessage(head, len[1], next, wire)) return false;
        messages++;
      }
      at = next;
    } else return false;
    fields++;
    numbers.add(field);
  }
  if (convinced()) return true;
  if (eof) return numbers.has(6) && messages > 0 && fields >= 2;
  return undefined;
}
