/**
 * The lookups the pprof decoder builds once per profile: the string table, records by id, and the
 * interner that lets equal sample parts share one frozen array.
 */
import { ProtoReader } from './wire.js';

/** repeated string string_table = 6: decoded once; every index is checked where it is read. */
export class StringTable {
  private strings: string[] = [];

  constructor(private readonly r: ProtoReader) {}

  /** Decodes the string_table fields (flat triples [key offset, first byte, end]); entry 0 must be "". */
  decode(spans: readonly number[]): void {
    const r = this.r;
    if (spans.length === 0) throw r.error(r.length, 'no string_table: string_table[0] must be ""');
    const b = r.buf;
    const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
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
      try {
        strings.push(ascii ? text.toString('latin1', start, end) : text.toString('utf8', start, end));
      } catch (err) {
        // longer than V8's longest string (~512 MiB)
        throw r.error(spans[i]!, `string_table[${strings.length}] of ${end - start} bytes: ${(err as Error).message}`);
      }
    }
    if (strings[0] !== '') throw r.error(spans[0]!, `string_table[0] must be "", got ${JSON.stringify(strings[0])}`);
    this.strings = strings;
  }

  /** The string at index `i` (an int64 read at byte `at`). */
  at(i: number, at: number): string {
    const s = this.strings[i];
    if (s === undefined) throw this.outOfRange(i, at);
    return s;
  }

  /** Reads an int64 string index at the reader's position and looks it up. */
  read(end: number): string {
    const r = this.r;
    const at = r.pos;
    const s = this.strings[r.int64(end)];
    if (s === undefined) {
      r.pos = at;
      throw this.outOfRange(r.int64(end), at);
    }
    return s;
  }

  private outOfRange(i: number, at: number): Error {
    return this.r.error(at, `string index ${i} out of range (string_table has ${this.strings.length} entries)`);
  }
}

/** A lookup from a uint64 id (a number, or its decimal string when not a safe integer) to a record. */
export class IdTable<T extends { id: number }> {
  /** dense[id] for small ids (read directly on hot paths); the rest in `sparse`. */
  dense: (T | undefined)[] = [];
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

  /** Indexes decoded records by id (non-zero and unique: checked by add). */
  fill(records: readonly T[], keys: readonly (number | string)[], idsAt: readonly number[]): void {
    let maxId = 0;
    for (const k of keys) if (typeof k === 'number' && k > maxId) maxId = k;
    this.reserve(records.length, maxId);
    for (let i = 0; i < records.length; i++) this.add(keys[i]!, records[i]!, idsAt[i]!);
  }

  get(key: number | string): T | undefined {
    return typeof key === 'number' && key < this.dense.length ? this.dense[key] : this.sparse.get(key);
  }
}

/**
 * Frozen results shared by equal keys: a sample's stack, label set or values decode once and every
 * sample with the same ones gets the same array. A key is a sequence of 32-bit words — the bytes of
 * a field (4 at a time, unaligned, the tail zero-padded) or the bits of a few doubles — plus a tag
 * (its byte length, or its count). Open addressing over `slots`; each entry's record in `arena` is
 * [hash, tag, entry number, word count, ...key words], so a probe touches two small tables and
 * never the input.
 * `get*` remember the key for the `add` that follows a miss.
 */
export class Interner<T extends object> {
  private slots = new Int32Array(1024); // arena offset + 1; 0 = empty
  private mask = 1023;
  private arena = new Int32Array(4096);
  private used = 0;
  private readonly values: T[] = [];
  /** The key of the last get: `keyWords[0, keyLength)`, its tag and hash, and the free slot it missed at. */
  private keyWords = new Int32Array(64);
  private keyLength = 0;
  private keyTag = 0;
  private keyHash = 0;
  private slot = 0;

  constructor() {
    // Stored a second time on purpose: V8 treats a field written once as a constant and inlines
    // it, and the first grow() would then throw away every optimized function that read it.
    this.slots = new Int32Array(1024);
    this.mask = 1023;
    this.arena = new Int32Array(4096);
    this.keyWords = new Int32Array(64);
  }

  /** Entries added (for the caller's give-up rule). */
  get size(): number {
    return this.values.length;
  }

  /** Looks up the bytes [start, end) of `view`. */
  getSpan(view: DataView, start: number, end: number): T | undefined {
    const len = end - start;
    const words = (len + 3) >> 2;
    if (words > this.keyWords.length) this.keyWords = new Int32Array(words * 2);
    const kw = this.keyWords;
    let h = len;
    let w = 0;
    let j = start;
    for (; j + 4 <= end; j += 4) {
      const x = view.getInt32(j, true);
      kw[w++] = x;
      h = Math.imul(h ^ x, 0x9e3779b1);
      h ^= h >>> 15;
    }
    if (j < end) {
      let x = 0;
      for (let shift = 0; j < end; j++, shift += 8) x |= view.getUint8(j) << shift;
      kw[w++] = x;
      h = Math.imul(h ^ x, 0x9e3779b1);
    }
    return this.find(h, len, words);
  }

  /** Looks up the first `n` words of `src` (tagged `n`). */
  getWords(src: Int32Array, n: number): T | undefined {
    if (n > this.keyWords.length) this.keyWords = new Int32Array(n * 2);
    const kw = this.keyWords;
    let h = n;
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      kw[i] = x;
      h = Math.imul(h ^ x, 0x9e3779b1);
      h ^= h >>> 15;
    }
    return this.find(h, n, n);
  }

  private find(hash: number, tag: number, words: number): T | undefined {
    let h = hash ^ (hash >>> 16);
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    this.keyHash = h;
    this.keyTag = tag;
    this.keyLength = words;
    const slots = this.slots;
    const arena = this.arena;
    const kw = this.keyWords;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = slots[i]! - 1;
      if (at < 0) {
        this.slot = i;
        return undefined;
      }
      if (arena[at] !== h || arena[at + 1] !== tag) continue;
      let k = 0;
      while (k < words && arena[at + 4 + k] === kw[k]) k++;
      if (k === words) return this.values[arena[at + 2]!];
    }
  }

  /** Stores `value`, frozen, under the key of the last get (which missed). */
  add(value: T): T {
    const words = this.keyLength;
    if (this.used + 4 + words > this.arena.length) {
      const bigger = new Int32Array(Math.max(this.arena.length * 2, this.used + 4 + words));
      bigger.set(this.arena);
      this.arena = bigger;
    }
    const at = this.used;
    const arena = this.arena;
    arena[at] = this.keyHash;
    arena[at + 1] = this.keyTag;
    arena[at + 2] = this.values.length;
    arena[at + 3] = words;
    arena.set(this.keyWords.subarray(0, words), at + 4);
    this.used = at + 4 + words;
    this.values.push(Object.freeze(value));
    this.slots[this.slot] = at + 1;
    if (this.values.length * 2 > this.mask) this.grow();
    return value;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    const arena = this.arena;
    for (let at = 0; at < this.used; ) {
      let i = arena[at]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = at + 1;
      at += 4 + arena[at + 3]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
