/**
 * Test-only helpers for the perf-script line parsers' fixtures: a plain split of `perf script` lines
 * (enough for the recorded fixtures, not the real parser), a bigint-safe JSON form, and golden files
 * that `UPDATE_GOLDEN=1 npm test -- shared/parsers/perf-script` rewrites.
 */
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

// `map worker 1 23232 [001]  4846.973052: syscalls:sys_enter_bpf: cmd: 0x00000002, ...`,
// `true 23249  4849.926246:          1  page-faults:     563274a141e0 ...`
const SAMPLE = /^\s*(.*?)\s+(-?\d+)(?:\/(-?\d+))?\s+(?:\[(\d+)\]\s+)?(\d+\.\d+):\s+(?:(\d+)\s+)?([^\s:][^\s]*?):(?:\s+(.*))?$/;
// `python3 23263  4853.531288: PERF_RECORD_MMAP2 23263/23263: [...]`, `perf-exec 0 0.000000: PERF_RECORD_COMM: ...`
const TASK = /^\s*(.*?)\s+(-?\d+)(?:\/(-?\d+))?\s+(?:\[(\d+)\]\s+)?(\d+\.\d+):\s+PERF_RECORD_([A-Z0-9_]+)(.*)$/;

export interface SampleLine {
  comm: string;
  tid: number;
  event: string;
  payload: string;
}

export function splitSample(line: string): SampleLine | undefined {
  if (line.includes('PERF_RECORD_')) return undefined;
  const m = SAMPLE.exec(line);
  if (!m) return undefined;
  return { comm: m[1]!, tid: Number(m[2]), event: m[7]!, payload: (m[8] ?? '').trim() };
}

export function splitTask(line: string): { comm: string; record: string; detail: string } | undefined {
  const m = TASK.exec(line);
  return m ? { comm: m[1]!, record: m[6]!, detail: m[7]! } : undefined;
}

/** A stack line of perf script: it starts with a tab or with spaces and an address. */
export function isStackLine(line: string | undefined): boolean {
  return line !== undefined && (line.startsWith('\t') || /^\s+[0-9a-f]+ /.test(line)) && !SAMPLE.test(line);
}

const HEX_KEYS = new Set(['addr', 'start', 'length', 'pgoff']);

/**
 * JSON with bigints as `"-14n"` (addresses, `addr`/`start`/`length`/`pgoff`, as `"0x7f00n"`) and undefined
 * as null, indented for reviewable diffs.
 */
export function toJson(value: unknown): string {
  const replacer = (key: string, v: unknown): unknown => {
    if (typeof v === 'bigint') return HEX_KEYS.has(key) && v >= 0n ? `0x${v.toString(16)}n` : `${v}n`;
    return v === undefined ? null : v;
  };
  return `${JSON.stringify(value, replacer, 2)}\n`;
}

/** Compares `actual` with the golden JSON file at `path`; with UPDATE_GOLDEN=1 (re)writes it instead. */
export function checkGolden(path: string, actual: unknown): void {
  const json = toJson(actual);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(path, json);
    return;
  }
  assert.ok(existsSync(path), `missing golden file ${path}; run with UPDATE_GOLDEN=1 and review it`);
  assert.deepStrictEqual(JSON.parse(json), JSON.parse(readFileSync(path, 'utf8')), `golden ${path}`);
}

/** The lines of a gzipped text file, streamed. */
export async function* gzipLines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}
