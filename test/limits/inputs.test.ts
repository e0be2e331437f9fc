// SPEC §9 bad input: odd entry names (labels only, nothing written to disk), multi-megabyte lines,
// binary garbage and invalid UTF-8, stacks thousands of frames deep, more distinct stacks than the
// limit, and the analysis time limit.
import assert from 'node:assert/strict';
import fs, { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, mock } from 'node:test';
import zlib from 'node:zlib';
import { analyze, type AnalysisOutcome } from '../../shared/analyses/analyze.js';
import { DEFAULT_LIMITS, type Limits } from '../../shared/limits.js';
import { fromBuffer, type ByteSource } from '../../shared/parsers/bytes.js';
import { seededBytes } from '../helpers/samples.js';
import { deepStackScript, distinctStacksScript, longLineScript, tarOf } from '../helpers/bombs.js';

const limits = (l: Partial<Limits>): Limits => ({ ...DEFAULT_LIMITS, ...l });
const run = (name: string, body: ByteSource, l?: Partial<Limits>): Promise<AnalysisOutcome> =>
  analyze([{ name, body }], l ? { limits: limits(l) } : {});
const PERF = (comm = 'mapstress') =>
  Buffer.from(`${comm}  6341 [001]  1000.000001:     250000 task-clock: \n\t    400000 leaf+0x1 (/bin/mapstress)\n\t    400001 main+0x1 (/bin/mapstress)\n\n`);

describe('entry names are labels, never paths', () => {
  it('odd names are read as labels and nothing is written to disk', async () => {
    const cwd = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'tracelens-names-'));
    const writes = ['writeFile', 'writeFileSync', 'openSync', 'open', 'createWriteStream', 'mkdir', 'mkdirSync', 'symlink', 'symlinkSync', 'rename', 'renameSync', 'appendFileSync', 'copyFileSync'] as const;
    const mocks = writes.map((m) => mock.method(fs, m));
    const promises = ['writeFile', 'open', 'mkdir', 'appendFile'].map((m) => mock.method(fs.promises, m as 'writeFile'));
    try {
      process.chdir(dir);
      const names: Array<string | Buffer> = [
        '../../etc/passwd',
        '/etc/shadow',
        Buffer.from('nul\0hidden.txt'),
        'x'.repeat(99),
        'ünïcødé/漢字/😀.txt',
        '.',
        '',
        './',
      ];
      const tar = tarOf([
        ...names.map((name) => ({ name, data: PERF() })),
        { name: `${'deep/'.repeat(2000)}long.txt`, pax: true, data: PERF() },
      ]);
      const out = await run('names.tar', fromBuffer(zlib.gzipSync(tar)));
      assert.equal(out.error, undefined);
      const got = out.result.inputs.map((i) => i.name);
      assert.ok(got.includes('etc/passwd'), got.join(' | '));
      assert.ok(got.includes('etc/shadow'));
      assert.ok(got.includes('nul'));
      assert.ok(got.includes('ünïcødé/漢字/😀.txt'));
      assert.ok(got.some((n) => n.endsWith('/long.txt') && n.length > 10_000));
      assert.ok(got.every((n) => n !== '' && !n.startsWith('/') && !n.split('/').includes('..')), got.join(' | '));
      // `.`, `` and `./` get labels of their own (`./` ends in a slash: a directory, skipped)
      assert.equal(got.filter((n) => /^\[entry \d+\]$/.test(n)).length, 2, got.join(' | '));
      assert.ok(out.result.inputs.every((i) => i.kind === 'perf-script' && !i.error));
      for (const m of [...mocks, ...promises]) assert.equal(m.mock.callCount(), 0, `fs.${m.mock.calls[0]?.arguments[0]}`);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      process.chdir(cwd);
      for (const m of [...mocks, ...promises]) m.mock.restore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lines, garbage and encodings', () => {
  it('a 40 MB line in a perf script is skipped with its line number; the rest is read', async () => {
    const out = await run('long.txt', longLineScript(40 * 1024 ** 2));
    const input = out.result.inputs[0]!;
    assert.equal(out.error, undefined);
    assert.equal(input.kind, 'perf-script');
    assert.ok(input.warnings.some((w) => /line 5\b.*line longer than the limit of 16777216 bytes/.test(w) || /line longer than the limit/.test(w)), input.warnings.join('\n'));
    assert.equal(out.result.hotspots[0]?.samples, 3);
  });

  it('a line past lineBytes in escape diagnostics fails that input, naming the line, the offset and the setting', async () => {
    const head = Buffer.from('# mapstress/internal/x\n./a.go:3:6: can inline f\n./a.go:4:6: moved to heap: v\n');
    const body = Buffer.concat([head, Buffer.alloc(3 * 1024 ** 2, 0x61), Buffer.from('\n')]);
    const out = await run('escape.txt', fromBuffer(body, 64 * 1024), { lineBytes: 1024 ** 2 });
    const input = out.result.inputs[0]!;
    assert.equal(input.kind, 'go-escape');
    assert.match(input.error ?? '', /escape\.txt \(line 4, byte \d+\): line longer than the limit of 1048576 bytes/);
    assert.ok(input.error!.includes('TRACELENS_LIMIT_LINE_BYTES'));
  });

  it('binary garbage is not recognized, and does not sink the analysis', async () => {
    const tar = tarOf([
      { name: 'garbage.bin', data: seededBytes(4 * 1024 ** 2) },
      { name: 'garbage.gz', data: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0]), seededBytes(100_000)]) },
      { name: 'perf.txt', data: PERF() },
    ]);
    const out = await run('garbage.tar', fromBuffer(tar));
    assert.equal(out.error, undefined);
    const by = Object.fromEntries(out.result.inputs.map((i) => [i.name, i]));
    assert.equal(by['garbage.bin']!.kind, 'unknown');
    assert.match(by['garbage.gz']!.error ?? '', /garbage\.gz/);
    assert.equal(by['perf.txt']!.kind, 'perf-script');
  });

  it('invalid UTF-8 and garbage lines inside a perf script: read past, the input still counts', async () => {
    const bad = Buffer.concat([
      PERF(Buffer.from([0x6d, 0xff, 0xfe, 0x6d]).toString('latin1')), // comm with invalid bytes (written as latin1)
      Buffer.from([0xc3, 0x28, 0x0a, 0xed, 0xa0, 0x80, 0x0a]),
      seededBytes(10_000).map((b) => (b === 0x0a ? 0x20 : b)),
      Buffer.from('\n\n'),
      PERF(),
    ]);
    // Kinds are told from the head: the damage comes after it.
    const out = await run('perf.txt', fromBuffer(Buffer.concat([...Array.from({ length: 2000 }, () => PERF()), bad])));
    const input = out.result.inputs[0]!;
    assert.equal(out.error, undefined);
    assert.equal(input.kind, 'perf-script');
    assert.equal(input.error, undefined);
    assert.ok(out.result.hotspots[0]!.samples >= 2001);
  });
});

describe('stack depth and distinct stacks', () => {
  it('a stack 50 000 frames deep keeps its 1024 leaf-most frames under [truncated] (DQ012)', async () => {
    const out = await run('deep.txt', fromBuffer(deepStackScript(50_000)));
    const dq = out.result.dataQuality.find((d) => d.rule === 'DQ012');
    assert.ok(dq, JSON.stringify(out.result.dataQuality));
    assert.match(dq.message, /1 sample had stacks deeper than the stackDepth limit of 1024 frames \(the deepest 50000\)/);
    assert.ok(dq.message.includes('TRACELENS_LIMIT_STACK_DEPTH'));
    const folded = out.artifacts.folded.get('task-clock')!;
    const deep = folded.split('\n').find((l) => l.includes('[truncated]'))!;
    const frames = deep.split(' ')[0]!.split(';');
    assert.deepEqual(frames.slice(0, 2), ['mapstress', '[truncated]']);
    assert.equal(frames.length, 2 + 1024);
    assert.equal(frames.at(-1), 'f0'); // the leaf is kept
  });

  it('a lower stackDepth setting cuts sooner', async () => {
    const out = await run('deep.txt', fromBuffer(deepStackScript(100)), { stackDepth: 10 });
    assert.match(out.result.dataQuality.find((d) => d.rule === 'DQ012')!.message, /limit of 10 frames \(the deepest 100\)/);
  });

  it('stacks past distinctStacks fold into one [truncated] stack, counted (DQ013)', async () => {
    const out = await run('stacks.txt', distinctStacksScript(5000), { distinctStacks: 1000 });
    const dq = out.result.dataQuality.find((d) => d.rule === 'DQ013');
    assert.ok(dq, JSON.stringify(out.result.dataQuality));
    assert.match(dq.message, /limit of 1000; 4000 samples \(weight 1000000000\) of further new stacks were folded into one \[truncated\] stack/);
    assert.ok(dq.message.includes('TRACELENS_LIMIT_DISTINCT_STACKS'));
    const lines = out.artifacts.folded.get('task-clock')!.trim().split('\n');
    assert.equal(lines.length, 1001);
    assert.ok(lines.includes('[truncated] 1000000000'));
    assert.equal(out.result.hotspots[0]!.samples, 5000); // every sample still counts
  });
});

describe('analysis time', () => {
  it('an analysis past analysisSeconds ends failed, naming the limit and the setting, with what it read', async () => {
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield PERF();
      await new Promise((r) => setTimeout(r, 5_000)); // a source that stalls
      yield PERF();
    }
    const t0 = Date.now();
    const out = await run('slow.txt', slow(), { analysisSeconds: 0.3 });
    assert.ok(Date.now() - t0 < 4_000, 'ended at the limit, not when the source went on');
    assert.ok(out.error);
    assert.match(out.error.message, /slow\.txt \(byte \d+\): analysisSeconds [\d.]+ exceeds the limit of 0\.3 \(seconds of analysis\); set TRACELENS_LIMIT_ANALYSIS_SECONDS to raise it/);
  });

  it('a slow input read chunk by chunk ends at the limit too', async () => {
    async function* steady(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        yield PERF();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const out = await run('steady.txt', steady(), { analysisSeconds: 0.3 });
    assert.match(out.error?.message ?? '', /analysisSeconds [\d.]+ exceeds the limit of 0\.3/);
  });
});
