import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BOXED_ARCHIVE = `${ROOT}examples/mapstress-boxed.tar.gz`;
export const STRUCT_ARCHIVE = `${ROOT}examples/mapstress-struct.tar.gz`;

/** The kinds of the seven entries of a mapstress sample archive, sorted. */
export const MAPSTRESS_KINDS = ['gctrace', 'go-escape', 'go-escape', 'perf-sched-latency', 'perf-script', 'pprof', 'pprof'];

export function boxedArchive(): Buffer {
  return readFileSync(BOXED_ARCHIVE);
}

/** Deterministic pseudo-random bytes (xorshift32), so "random binary" is the same in every run. */
export function seededBytes(n: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
