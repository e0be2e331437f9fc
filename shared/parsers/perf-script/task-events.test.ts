import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ROOT } from '../../../test/helpers/samples.js';
import { checkGolden, gzipLines, splitTask } from '../../../test/helpers/perf-lines.js';
import { parseTaskRecord } from './task-events.js';

const FIXTURES = `${ROOT}test/fixtures/perf-script/task-events/`;
const BOXED = `${ROOT}test/fixtures/samples/mapstress-boxed/perf.script.txt.gz`;

describe('parseTaskRecord on recorded fixtures (test/fixtures/perf-script/task-events)', () => {
  for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'))) {
    it(`${name} matches ${name.replace(/\.txt$/, '.expected.json')}`, () => {
      const records = readFileSync(FIXTURES + name, 'utf8')
        .split('\n')
        .map((line, i) => ({ line: i + 1, task: splitTask(line) }))
        .filter((r) => r.task !== undefined)
        .map(({ line, task }) => ({ line, record: task!.record, ...parseTaskRecord(task!.record, task!.detail) }));
      assert.ok(records.length > 0);
      // Every COMM/FORK/EXIT/MMAP/MMAP2 line of a real recording has its record's form.
      for (const r of records) assert.ok(Object.keys(r).length > 2, `line ${r.line} parsed`);
      checkGolden(FIXTURES + name.replace(/\.txt$/, '.expected.json'), records);
    });
  }
});

describe('parseTaskRecord', () => {
  // mapstress-boxed sample:
  //   perf-exec     0     0.000000: PERF_RECORD_COMM: perf-exec:6341/6341
  //   mapstress  6341   528.253990: PERF_RECORD_COMM exec: mapstress:6341/6341
  //   mapstress  6341   528.255407: PERF_RECORD_FORK(6341:6343):(6341:6341)
  //   mapstress  6341   528.769273: PERF_RECORD_EXIT(6341:6341):(6340:6340)
  it('reads COMM, exec or not', () => {
    assert.deepEqual(parseTaskRecord('COMM', ': perf-exec:6341/6341'), {
      newComm: 'perf-exec',
      exec: false,
      target: { pid: 6341, tid: 6341 },
    });
    assert.deepEqual(parseTaskRecord('COMM', ' exec: mapstress:6341/6341'), {
      newComm: 'mapstress',
      exec: true,
      target: { pid: 6341, tid: 6341 },
    });
  });
  it('keeps comms with colons and spaces (task-mmap.txt, system-wide-synth.txt)', () => {
    // mm: worker 2 23265  4853.558617: PERF_RECORD_COMM: mm: worker 2:23263/23265
    assert.deepEqual(parseTaskRecord('COMM', ': mm: worker 2:23263/23265'), {
      newComm: 'mm: worker 2',
      exec: false,
      target: { pid: 23263, tid: 23265 },
    });
    // my prog 23263  4853.559174: PERF_RECORD_COMM exec: my prog:23263/23263
    assert.equal(parseTaskRecord('COMM', ' exec: my prog:23263/23263').newComm, 'my prog');
    // kworker/0:0H-kb     0 [000]     0.000000: PERF_RECORD_COMM: kworker/0:0H-kb:10/10
    assert.equal(parseTaskRecord('COMM', ': kworker/0:0H-kb:10/10').newComm, 'kworker/0:0H-kb');
    // A comm named like the exec marker, and a trimmed detail.
    assert.equal(parseTaskRecord('COMM', ': exec: x:1/1').newComm, 'exec: x');
    assert.equal(parseTaskRecord('COMM', 'exec: x:1/1').exec, true);
  });
  it('reads FORK and EXIT as (pid:tid):(ppid:ptid)', () => {
    assert.deepEqual(parseTaskRecord('FORK', '(6341:6343):(6341:6341)'), {
      child: { pid: 6341, tid: 6343 },
      parent: { pid: 6341, tid: 6341 },
    });
    assert.deepEqual(parseTaskRecord('EXIT', '(6341:6341):(6340:6340)'), {
      child: { pid: 6341, tid: 6341 },
      parent: { pid: 6340, tid: 6340 },
    });
  });
  it('reads MMAP (kernel map of a system-wide session)', () => {
    // swapper     0 [000]     0.000000: PERF_RECORD_MMAP -1/0: [0xffffffff81000000(0x1276508) @ 0xffffffff81000000]: x [kernel.kallsyms]_text
    assert.deepEqual(parseTaskRecord('MMAP', ' -1/0: [0xffffffff81000000(0x1276508) @ 0xffffffff81000000]: x [kernel.kallsyms]_text'), {
      target: { pid: -1, tid: 0 },
      mmap: { start: 0xffffffff81000000n, length: 0x1276508n, pgoff: 0xffffffff81000000n, prot: 'x', file: '[kernel.kallsyms]_text' },
    });
  });
  it('reads MMAP2 with device/inode, with a build id, anon maps and file names with spaces', () => {
    assert.deepEqual(parseTaskRecord('MMAP2', ' 23263/23263: [0x7fb9ef9a3000(0x9000) @ 0 fe:00 673 0]: r--p /etc/ld.so.cache').mmap, {
      start: 0x7fb9ef9a3000n,
      length: 0x9000n,
      pgoff: 0n,
      prot: 'r--p',
      file: '/etc/ld.so.cache',
    });
    assert.deepEqual(
      parseTaskRecord(
        'MMAP2',
        ' 23263/23263: [0x5564a1327000(0x4000) @ 0x2000 <c89156ebdabf859f4ee70cb0c303004dccf1ae51>]: r-xp /tmp/tl-tracepoints-fx/dir with space/my prog',
      ).mmap,
      {
        start: 0x5564a1327000n,
        length: 0x4000n,
        pgoff: 0x2000n,
        prot: 'r-xp',
        file: '/tmp/tl-tracepoints-fx/dir with space/my prog',
        buildId: 'c89156ebdabf859f4ee70cb0c303004dccf1ae51',
      },
    );
    assert.equal(parseTaskRecord('MMAP2', ' 23263/23263: [0x7fb9ef9ac000(0x2000) @ 0x7fb9ef9ac000 00:00 0 0]: rw-p //anon').mmap?.file, '//anon');
    assert.equal(
      parseTaskRecord('MMAP2', ' 23263/23263: [0x7fb9eea21000(0x100000) @ 0 00:01 1026 93670245]: rw-s /dev/zero (deleted)').mmap?.file,
      '/dev/zero (deleted)',
    );
    // Go and JIT maps as the brief quotes them: `08:01` devices, `[vdso]`.
    assert.equal(parseTaskRecord('MMAP2', '6341/6341: [0x7f00(0x21000) @ 0 08:01 1234 5678]: r-xp [vdso]').mmap?.file, '[vdso]');
  });
  it('gives {} for other records and for details without the form', () => {
    assert.deepEqual(parseTaskRecord('LOST', ' lost 62'), {});
    assert.deepEqual(parseTaskRecord('COMM', ': no pid'), {});
    assert.deepEqual(parseTaskRecord('FORK', '(1:2)'), {});
    assert.deepEqual(parseTaskRecord('MMAP2', ' 1/1: [garbage]: r-xp /x'), {});
    assert.deepEqual(parseTaskRecord('MMAP', ''), {});
  });

  it('reads every task record of the mapstress-boxed sample', async () => {
    const seen: string[] = [];
    for await (const line of gzipLines(BOXED)) {
      if (!line.includes('PERF_RECORD_')) continue;
      const t = splitTask(line)!;
      const parsed = parseTaskRecord(t.record, t.detail);
      assert.ok(Object.keys(parsed).length > 0, line);
      seen.push(t.record);
    }
    assert.deepEqual(seen.length, 11);
    assert.deepEqual([...new Set(seen)].sort(), ['COMM', 'EXIT', 'FORK']);
  });
});
