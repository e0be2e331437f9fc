// Bench inputs: the mapstress perf script decompressed, and a ≥ 400 MB one made of it repeated with
// shifted timestamps (streamed to disk once, reused by later runs). Not committed: made on demand.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH_DIR = process.env.TRACELENS_BENCH_DIR || join(tmpdir(), 'tracelens-bench');
/** Ours (test fixture copy of ../shared/samples/mapstress/boxed/perf.script.txt.gz). */
export const SAMPLE_GZ = join(ROOT, 'test/fixtures/samples/mapstress-boxed/perf.script.txt.gz');
export const BIGHEAP = join(ROOT, '../shared/samples/bigheap/bigheap.pb.gz');

// `mapstress  6341   528.254236:     250000             task-clock: ` — the time field of a header line.
const TIME = /^(\S.*?\s)(\d+)\.(\d{6})(:\s)/;

/**
 * The sample repeated until it is at least `minBytes`, each copy's times shifted past the previous
 * copy's end, so the result reads as one long recording (times keep increasing, stacks repeat).
 */
export async function bigText(minBytes = 400 * 1024 * 1024): Promise<string> {
  const sample = await ensureSample();
  const size = statSync(sample).size;
  const copies = Math.ceil(minBytes / size);
  const path = join(BENCH_DIR, `mapstress-boxed-x${copies}.perf.txt`);
  if (existsSync(path)) return path;
  const tmp = `${path}.tmp`;
  const out = createWriteStream(tmp);
  const spanUs = 10_000_000n; // each copy 10 s after the previous one's start (the sample spans < 1 s)
  for (let k = 0; k < copies; k++) {
    const shift = BigInt(k) * spanUs;
    const lines = createInterface({ input: createReadStream(sample), crlfDelay: Infinity });
    for await (const line of lines) {
      const m = k === 0 ? null : TIME.exec(line);
      const text = m ? shifted(line, m, shift) : line;
      if (!out.write(text + '\n')) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  renameSync(tmp, path);
  return path;
}

function shifted(line: string, m: RegExpExecArray, shiftUs: bigint): string {
  const us = BigInt(m[2]!) * 1_000_000n + BigInt(m[3]!) + shiftUs;
  const sec = us / 1_000_000n;
  const frac = (us % 1_000_000n).toString().padStart(6, '0');
  return `${m[1]}${sec}.${frac}${m[4]}${line.slice(m[0].length)}`;
}

/** Ours: the boxed sample's gctrace (test fixture copy of ../shared/samples/mapstress/boxed/gctrace.txt). */
export const GCTRACE = join(ROOT, 'test/fixtures/samples/mapstress-boxed/gctrace.txt');

// `gc 1 @0.036s 0%: 0.059+0.81+0.054 ms clock, ...` — the cycle number and start time.
const GC_HEAD = /^gc (\d+) @(\d+\.\d+)s/;

/**
 * The gctrace that goes with `bigText(minBytes)`: the sample's cycles once per copy, renumbered and
 * shifted by the same 10 s per copy, so the big recording has its GC cycles where perf saw them.
 */
export async function bigGctrace(minBytes = 400 * 1024 * 1024): Promise<string> {
  const sample = await ensureSample();
  const copies = Math.ceil(minBytes / statSync(sample).size);
  const path = join(BENCH_DIR, `mapstress-boxed-x${copies}.gctrace.txt`);
  if (existsSync(path)) return path;
  const lines = readFileSync(GCTRACE, 'utf8').split('\n').filter((l) => GC_HEAD.test(l));
  const out: string[] = [];
  let n = 0;
  for (let k = 0; k < copies; k++) {
    for (const l of lines) {
      const m = GC_HEAD.exec(l)!;
      const at = (Number(m[2]) + 10 * k).toFixed(3);
      out.push(`gc ${++n} @${at}s${l.slice(m[0].length)}`);
    }
  }
  const tmp = `${path}.tmp`;
  const w = createWriteStream(tmp);
  w.end(out.join('\n') + '\n');
  await once(w, 'finish');
  renameSync(tmp, path);
  return path;
}

export async function ensureSample(): Promise<string> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const path = join(BENCH_DIR, 'mapstress-boxed.perf.txt');
  if (!existsSync(path)) {
    const tmp = `${path}.tmp`;
    const out = createWriteStream(tmp);
    out.end(gunzipSync(readFileSync(SAMPLE_GZ)));
    await once(out, 'finish');
    renameSync(tmp, path);
  }
  return path;
}
