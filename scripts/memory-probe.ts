/**
 * Runs one hostile input through analyze() in this process and prints one JSON line: the case, the
 * analysis error (or the inputs' errors), the seconds it took and the peak RSS (maxRSS) in MB.
 * test/limits/memory.test.ts runs it in a child process per case and asserts the RSS bound.
 *
 *   node --import tsx scripts/memory-probe.ts gzip-4gib|nested-gzip|tar-gz-bomb-entry|zip-overlap|zip-quoted|million-entries|long-line|deep-stack|distinct-stacks
 */
import zlib from 'node:zlib';
import { analyze } from '../shared/analyses/analyze.js';
import { loadLimits } from '../shared/config.js';
import { fromBuffer, type ByteSource } from '../shared/parsers/bytes.js';
import {
  deepStackScript,
  distinctStacksScript,
  fileSource,
  fourGibZerosGzip,
  gzipZeros,
  longLineScript,
  manyEntriesTar,
  overlappingZip,
  quotedOverlapZip,
  tarOf,
} from '../test/helpers/bombs.js';

const CASES: Record<string, () => Promise<{ name: string; body: ByteSource }>> = {
  'gzip-4gib': async () => ({ name: 'zeros-4GiB.gz', body: fileSource(await fourGibZerosGzip()) }),
  'nested-gzip': async () => ({ name: 'nested.gz', body: fromBuffer(zlib.gzipSync(await gzipZeros(1024 ** 3))) }),
  'tar-gz-bomb-entry': async () => ({
    name: 'bomb.tar.gz',
    body: fromBuffer(zlib.gzipSync(tarOf([{ name: 'bomb.gz', data: await gzipZeros(1024 ** 3) }]))),
  }),
  'zip-overlap': async () => ({ name: 'overlap.zip', body: fromBuffer(await overlappingZip(256 * 1024 ** 2, 1000)) }),
  'zip-quoted': async () => ({ name: 'quoted.zip', body: fromBuffer((await quotedOverlapZip(256 * 1024 ** 2, 200)).zip) }),
  'million-entries': async () => ({ name: 'many.tar', body: manyEntriesTar(1_000_000) }),
  'long-line': async () => ({ name: 'long.txt', body: longLineScript(200 * 1024 ** 2) }),
  'deep-stack': async () => ({ name: 'deep.txt', body: fromBuffer(deepStackScript(200_000)) }),
  'distinct-stacks': async () => ({ name: 'stacks.txt', body: distinctStacksScript(300_000) }),
};

const which = process.argv[2] ?? '';
const make = CASES[which];
if (!make) {
  console.error(`usage: memory-probe.ts ${Object.keys(CASES).join('|')}`);
  process.exit(2);
}
const source = await make();
const limits = loadLimits(process.env);
const t0 = process.hrtime.bigint();
const out = await analyze([source], { limits });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  JSON.stringify({
    case: which,
    error: out.error?.message,
    inputErrors: out.result.inputs.filter((i) => i.error).map((i) => i.error),
    inputs: out.result.inputs.length,
    dataQuality: [...new Set(out.result.dataQuality.map((d) => d.rule))],
    seconds: Math.round(seconds * 100) / 100,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
