/**
 * Distinct stacks as lists of interned name ids, each with its weight: a hash table over one
 * Int32Array arena. Adding a stack seen before costs its length in integer compares and allocates
 * nothing; a new stack costs its length in 4-byte ids. Text is made only when the stacks are read.
 */
export class StackTable {
  private arena = new Int32Array(4096);
  private used = 0;
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  private readonly weights: number[] = [];
  /** The next entry with the same hash, or -1. */
  private readonly nexts: number[] = [];
  /** hash → first entry. */
  private readonly heads = new Map<number, number>();
  /** Exact sums of the entries past 2^53 (Perl adds integers exactly up to 2^64). */
  private big: Map<number, bigint> | undefined;

  get size(): number {
    return this.weights.length;
  }

  /** Adds `w` to the stack `ids[0..n)` (root first). */
  add(ids: Int32Array, n: number, w: number): void {
    this.put(ids, n, w, true);
  }

  /** Adds `w` to the stack `ids[0..n)` when it is already in the table; false (nothing added) when it is new. */
  addExisting(ids: Int32Array, n: number, w: number): boolean {
    return this.put(ids, n, w, false);
  }

  private put(ids: Int32Array, n: number, w: number, grow: boolean): boolean {
    const h = hashIds(ids, n);
    const head = this.heads.get(h);
    for (let e = head ?? -1; e !== -1; e = this.nexts[e]!) {
      if (this.lengths[e] !== n || !this.same(this.starts[e]!, ids, n)) continue;
      const sum = this.weights[e]! + w;
      if (sum > Number.MAX_SAFE_INTEGER) {
        this.big ??= new Map();
        this.big.set(e, (this.big.get(e) ?? BigInt(this.weights[e]!)) + BigInt(w));
      }
      this.weights[e] = sum;
      return true;
    }
    if (!grow) return false;
    if (this.used + n > this.arena.length) {
      const grown = new Int32Array(Math.max(this.arena.length * 2, this.used + n));
      grown.set(this.arena.subarray(0, this.used));
      this.arena = grown;
    }
    this.arena.set(ids.subarray(0, n), this.used);
    this.heads.set(h, this.weights.length);
    this.starts.push(this.used);
    this.lengths.push(n);
    this.weights.push(w);
    this.nexts.push(head ?? -1);
    this.used += n;
    return true;
  }

  /** The stacks as `a;b;c` → weight; exact (bigint) past 2^53 when `exact`. */
  *entries(texts: readonly string[], exact = false): Generator<[string, number | bigint]> {
    const parts: string[] = [];
    for (let e = 0; e < this.weights.length; e++) {
      parts.length = 0;
      const start = this.starts[e]!;
      for (let i = 0; i < this.lengths[e]!; i++) parts.push(texts[this.arena[start + i]!]!);
      const w = exact ? (this.big?.get(e) ?? this.weights[e]!) : this.weights[e]!;
      yield [parts.join(';'), w];
    }
  }

  /** The stacks as `a;b;c` → weight (rounded past 2^53). */
  toMap(texts: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const [k, w] of this.entries(texts)) out.set(k, w as number);
    return out;
  }

  private same(start: number, ids: Int32Array, n: number): boolean {
    const arena = this.arena;
    for (let i = 0; i < n; i++) if (arena[start + i] !== ids[i]) return false;
    return true;
  }
}

/** murmur3's mixing over the ids, kept to 30 bits so map keys stay small integers. */
function hashIds(ids: Int32Array, n: number): number {
  let h = n;
  for (let i = 0; i < n; i++) {
    let k = Math.imul(ids[i]!, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x3fffffff;
}
