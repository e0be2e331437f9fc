import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Tracepoint } from '../../model/perf.js';
import { ROOT } from '../../../test/helpers/samples.js';
import { checkGolden, gzipLines, isStackLine, splitSample } from '../../../test/helpers/perf-lines.js';
import { bpfCmdNameFromArg } from './bpf-cmd.js';
import { isPageFaultEvent, parseArgInt, parseProbeArgs, parseSyscallReturn, parseTracepoint } from './tracepoints.js';

const FIXTURES = `${ROOT}test/fixtures/perf-script/tracepoints/`;
const BOXED = `${ROOT}test/fixtures/samples/mapstress-boxed/perf.script.txt.gz`;

function tp(event: string, payload: string): Tracepoint | undefined {
  return parseTracepoint(event, payload);
}

/** Every sample header line of a fixture with what parseTracepoint makes of it. */
function parseFixture(text: string) {
  const lines = text.split('\n');
  const out: { line: number; event: string; tracepoint: Tracepoint | undefined }[] = [];
  lines.forEach((line, i) => {
    const s = splitSample(line);
    if (!s) return;
    const callchain = isStackLine(lines[i + 1]);
    out.push({ line: i + 1, event: s.event, tracepoint: parseTracepoint(s.event, s.payload, { callchain }) });
  });
  return out;
}

describe('parseTracepoint on recorded fixtures (test/fixtures/perf-script/tracepoints)', () => {
  for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'))) {
    it(`${name} matches ${name.replace(/\.txt$/, '.expected.json')}`, () => {
      const records = parseFixture(readFileSync(FIXTURES + name, 'utf8'));
      assert.ok(records.length > 0, 'fixture has sample lines');
      checkGolden(FIXTURES + name.replace(/\.txt$/, '.expected.json'), records);
    });
  }

  it('parses every sched, syscalls and raw_syscalls line of sched-syscalls-bpf.txt', () => {
    const records = parseFixture(readFileSync(`${FIXTURES}sched-syscalls-bpf.txt`, 'utf8'));
    const unparsed = records.filter((r) => r.tracepoint === undefined);
    assert.deepEqual(unparsed, []);
    const byType = new Map<string, number>();
    for (const r of records) byType.set(r.tracepoint!.type, (byType.get(r.tracepoint!.type) ?? 0) + 1);
    for (const type of ['sched_switch', 'sched_wakeup', 'sys_enter', 'sys_exit', 'raw_sys_enter', 'raw_sys_exit']) {
      assert.ok((byType.get(type) ?? 0) > 0, `fixture has ${type}`);
    }
  });

  it('keeps comms with spaces, "=", ":" and brackets whole', () => {
    const records = parseFixture(readFileSync(`${FIXTURES}sched-syscalls-bpf.txt`, 'utf8'));
    const comms = new Set<string>();
    for (const { tracepoint: t } of records) {
      if (t?.type === 'sched_switch') comms.add(t.prevComm).add(t.nextComm);
      if (t?.type === 'sched_wakeup') comms.add(t.comm);
    }
    for (const c of ['map worker 1', 'k=v: x', 'p:1 [2]', 'bpf gen']) assert.ok(comms.has(c), c);
  });

  it('reads the failing BPF_MAP_UPDATE_ELEM (-EBADF) in both syscall tracepoints', () => {
    // k=v: x 23233 [000]  4846.984066:  syscalls:sys_exit_bpf: 0xfffffffffffffff7
    assert.deepEqual(tp('syscalls:sys_exit_bpf', '0xfffffffffffffff7'), { type: 'sys_exit', syscall: 'bpf', ret: -9n });
    // k=v: x 23233 [000]  4846.984067:  raw_syscalls:sys_exit: NR 321 = -9
    assert.deepEqual(tp('raw_syscalls:sys_exit', 'NR 321 = -9'), { type: 'raw_sys_exit', id: 321, ret: -9n });
  });
});

describe('parseTracepoint on the mapstress-boxed sample', () => {
  it('parses all 20002 bpf() enters and exits, 736 sched_switch and 142 sched_wakeup lines', async () => {
    const counts = new Map<string, number>();
    const cmds = new Map<string, number>();
    const rets = new Map<bigint, number>();
    let firstEnter: Tracepoint | undefined;
    let firstExit: Tracepoint | undefined;
    for await (const line of gzipLines(BOXED)) {
      if (line.startsWith('\t') || line === '') continue;
      const s = splitSample(line);
      if (!s || !s.event.includes(':')) continue;
      const t = parseTracepoint(s.event, s.payload);
      assert.ok(t, `parsed: ${line}`);
      counts.set(s.event, (counts.get(s.event) ?? 0) + 1);
      if (t.type === 'sys_enter') {
        firstEnter ??= t;
        const name = bpfCmdNameFromArg(t.args.cmd!)!;
        cmds.set(name, (cmds.get(name) ?? 0) + 1);
      }
      if (t.type === 'sys_exit') {
        firstExit ??= t;
        rets.set(t.ret, (rets.get(t.ret) ?? 0) + 1);
      }
    }
    assert.deepEqual(Object.fromEntries(counts), {
      'sched:sched_wakeup': 142,
      'sched:sched_switch': 736,
      'syscalls:sys_enter_bpf': 20002,
      'syscalls:sys_exit_bpf': 20002,
    });
    // mapstress  6341 [000]   528.256948: syscalls:sys_enter_bpf: cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048
    assert.deepEqual(firstEnter, {
      type: 'sys_enter',
      syscall: 'bpf',
      args: { cmd: '0x00000000', uattr: '0xc0000666b8', size: '0x00000048' },
    });
    // mapstress  6341 [000]   528.256993:  syscalls:sys_exit_bpf: 0x3
    assert.deepEqual(firstExit, { type: 'sys_exit', syscall: 'bpf', ret: 3n });
    assert.deepEqual(Object.fromEntries(cmds), { BPF_MAP_CREATE: 2, BPF_MAP_UPDATE_ELEM: 20000 });
    assert.deepEqual([...rets.entries()].sort(), [
      [0n, 20000],
      [3n, 2],
    ]);
  });

  it('reads its sched_switch and sched_wakeup lines', () => {
    // mapstress  6341 [000]   528.255654:     sched:sched_switch: prev_comm=mapstress prev_pid=6341 prev_prio=120 prev_state=R ==> next_comm=khugepaged next_pid=38 next_prio=139
    assert.deepEqual(
      tp('sched:sched_switch', 'prev_comm=mapstress prev_pid=6341 prev_prio=120 prev_state=R ==> next_comm=khugepaged next_pid=38 next_prio=139'),
      { type: 'sched_switch', prevComm: 'mapstress', prevPid: 6341, prevPrio: 120, prevState: 'R', nextComm: 'khugepaged', nextPid: 38, nextPrio: 139 },
    );
    // mapstress  6341 [000]   528.254532:     sched:sched_wakeup: comm=khugepaged pid=38 prio=139 target_cpu=000
    assert.deepEqual(tp('sched:sched_wakeup', 'comm=khugepaged pid=38 prio=139 target_cpu=000'), {
      type: 'sched_wakeup',
      comm: 'khugepaged',
      pid: 38,
      prio: 139,
      targetCpu: 0,
      variant: 'wakeup',
    });
  });
});

describe('old sched forms (libtraceevent sched plugin), quoted from public perf output', () => {
  // Arnaldo Carvalho de Melo, "perf script: Allow showing the --switch-on event" (commit message, 2019,
  // tools/perf), `perf script --switch-on syscalls:sys_enter_nanosleep --show-on-off` output:
  //   sleep 13638 [001] 108237.582291:           sched:sched_switch: sleep:13638 [120] S ==> swapper/1:0 [120]
  //   swapper     0 [001] 108238.582458:           sched:sched_wakeup: sleep:13638 [120] success=1 CPU:001
  it('reads `comm:pid [prio] S ==> comm:pid [prio]`', () => {
    assert.deepEqual(tp('sched:sched_switch', 'sleep:13638 [120] S ==> swapper/1:0 [120]'), {
      type: 'sched_switch',
      prevComm: 'sleep',
      prevPid: 13638,
      prevPrio: 120,
      prevState: 'S',
      nextComm: 'swapper/1',
      nextPid: 0,
      nextPrio: 120,
    });
  });
  it('reads `comm:pid [prio] success=1 CPU:001`', () => {
    assert.deepEqual(tp('sched:sched_wakeup', 'sleep:13638 [120] success=1 CPU:001'), {
      type: 'sched_wakeup',
      comm: 'sleep',
      pid: 13638,
      prio: 120,
      targetCpu: 1,
      variant: 'wakeup',
    });
  });
  // Jiri Olsa, linux-kernel patch adding the `enable <EVENT NAME>` control command to perf record (2020),
  // `cat perf.pipe | perf --no-pager script -i -` output:
  //   bash 33349 [034] 149632.228050:   sched:sched_wakeup_new: bash:34059 [120] success=1 CPU:036
  it('reads sched_wakeup_new in the old form', () => {
    assert.deepEqual(tp('sched:sched_wakeup_new', 'bash:34059 [120] success=1 CPU:036'), {
      type: 'sched_wakeup',
      comm: 'bash',
      pid: 34059,
      prio: 120,
      targetCpu: 36,
      variant: 'wakeup_new',
    });
  });
  // A perf-script parser's comments quoting "one version of perf": a prev comm with spaces and a colon,
  //   sched:sched_switch: dev 0 ts:6450 [120] S ==> swapper/3:0 [120]
  //   sched:sched_wakeup: db_writer:3736 [120] success=1 CPU:003
  it('splits on the last `:pid` of each side, so comms keep spaces and colons', () => {
    const t = tp('sched:sched_switch', 'dev 0 ts:6450 [120] S ==> swapper/3:0 [120]');
    assert.equal(t?.type === 'sched_switch' && `${t.prevComm}|${t.prevPid}|${t.nextComm}|${t.nextPid}`, 'dev 0 ts|6450|swapper/3|0');
    const w = tp('sched:sched_wakeup', 'db_writer:3736 [120] success=1 CPU:003');
    assert.equal(w?.type === 'sched_wakeup' && `${w.comm}|${w.pid}|${w.targetCpu}`, 'db_writer|3736|3');
  });
  // trace-cmd report (same plugin) in a write-up on KVM interrupt latency:
  //   CPU 0/KVM-6853  [026] 117106.895273: sched_switch:         CPU 0/KVM:6853 [120] S ==> swapper/26:0 [120]
  //   kworker/13:1-309   [013] 117106.895279: sched_wakeup:         CPU 0/KVM:6912 [120] success=1 CPU:040
  //   kworker/1:0-31764 [001] 1212277.097068: sched_switch:         kworker/1:0:31764 [120] t ==> swapper/1:0 [120]
  it('reads comms with spaces, slashes and colons', () => {
    const t = tp('sched:sched_switch', 'CPU 0/KVM:6853 [120] S ==> swapper/26:0 [120]');
    assert.equal(t?.type === 'sched_switch' && `${t.prevComm}|${t.prevPid}|${t.nextComm}`, 'CPU 0/KVM|6853|swapper/26');
    const w = tp('sched:sched_wakeup', 'CPU 0/KVM:6912 [120] success=1 CPU:040');
    assert.equal(w?.type === 'sched_wakeup' && `${w.comm}|${w.pid}|${w.targetCpu}`, 'CPU 0/KVM|6912|40');
    const k = tp('sched:sched_switch', 'kworker/1:0:31764 [120] t ==> swapper/1:0 [120]');
    assert.equal(k?.type === 'sched_switch' && `${k.prevComm}|${k.prevPid}|${k.prevState}`, 'kworker/1:0|31764|t');
  });
  // Not quoted, built from plugin_sched_switch.c: write_state joins several states with '|', and
  // `success=` is printed only by kernels whose sched_wakeup still has that field.
  it('reads multi-letter states and wakeups without success=', () => {
    const t = tp('sched:sched_switch', 'kworker/1:0:31764 [120] D|W ==> swapper/1:0 [120]');
    assert.equal(t?.type === 'sched_switch' && t.prevState, 'D|W');
    const w = tp('sched:sched_wakeup', 'CPU 0/KVM:6912 [120] CPU:040');
    assert.equal(w?.type === 'sched_wakeup' && `${w.comm}|${w.pid}|${w.targetCpu}`, 'CPU 0/KVM|6912|40');
  });
  it('tries each ` ==> ` when a comm holds one', () => {
    const t = tp('sched:sched_switch', 'a ==> b:1 [120] R+ ==> c:2 [-1]');
    assert.equal(t?.type === 'sched_switch' && `${t.prevComm}|${t.prevState}|${t.nextComm}|${t.nextPrio}`, 'a ==> b|R+|c|-1');
  });
});

describe('today\'s sched forms with awkward comms', () => {
  it('takes the comm up to the last ` prev_pid=` / ` next_pid=` / ` pid=`', () => {
    const t = tp('sched:sched_switch', 'prev_comm=a prev_pid=1 b prev_pid=7 prev_prio=120 prev_state=R+ ==> next_comm= next_pid=0 next_prio=120');
    assert.equal(t?.type === 'sched_switch' && `${t.prevComm}|${t.prevPid}|${t.prevState}|${t.nextComm}|${t.nextPid}`, 'a prev_pid=1 b|7|R+||0');
    const w = tp('sched:sched_waking', 'comm=x pid=1 y pid=38 prio=139 target_cpu=001');
    assert.equal(w?.type === 'sched_wakeup' && `${w.comm}|${w.pid}|${w.targetCpu}|${w.variant}`, 'x pid=1 y|38|1|waking');
  });
  // Linux 3.x/4.x printed success= in the kernel format: `comm=%s pid=%d prio=%d success=%d target_cpu=%03d`
  it('reads the success= kernel format of 3.x/4.x kernels', () => {
    const w = tp('sched:sched_wakeup', 'comm=kworker/u8:0 pid=1369725 prio=120 success=1 target_cpu=001');
    assert.equal(w?.type === 'sched_wakeup' && `${w.comm}|${w.pid}|${w.targetCpu}`, 'kworker/u8:0|1369725|1');
  });
});

describe('kprobes and uprobes', () => {
  // netdev, "Re: Inability to IPVS DR with nft dnat since 9971a514ed26" (Simon Kirby, 2021-12-03):
  //   # perf probe -a 'ip_route_me_harder%return retval=$retval'
  //   swapper     0 [000]  1654.547622: probe:ip_route_me_harder__return: (ffffffff819ac910 <- ffffffffa002b8f6) retval=0x0
  it('reads a kretprobe with its caller and args', () => {
    assert.deepEqual(tp('probe:ip_route_me_harder__return', '(ffffffff819ac910 <- ffffffffa002b8f6) retval=0x0'), {
      type: 'probe',
      name: 'ip_route_me_harder',
      ret: true,
      args: { retval: '0x0' },
      group: 'probe',
      ip: 'ffffffff819ac910',
      caller: 'ffffffffa002b8f6',
    });
  });
  // A perf probe tutorial (`perf probe --add 'do_sys_open filename:string'`):
  //   ls 13596 [000] 91846.053995: probe:do_sys_open: (ffffffffa807b290) filename_string="/etc/ld.so.cache"
  //   perf 12886 [000] 89565.879875: probe:do_sys_open: (ffffffffa807b290)
  it('reads kprobes with and without args', () => {
    assert.deepEqual(tp('probe:do_sys_open', '(ffffffffa807b290) filename_string="/etc/ld.so.cache"'), {
      type: 'probe',
      name: 'do_sys_open',
      ret: false,
      args: { filename_string: '/etc/ld.so.cache' },
      group: 'probe',
      ip: 'ffffffffa807b290',
    });
    const t = tp('probe:do_sys_open', '(ffffffffa807b290)');
    assert.equal(t?.type === 'probe' && `${t.name}|${t.ret}|${Object.keys(t.args).length}`, 'do_sys_open|false|0');
  });
  // linux-kernel, firecracker KVM MMIO thread: kprobe_events with the `kprobes` group,
  //   kprobes:kvm_io_bus_register_dev__return: (ffffffffc0348390 <- ffffffffc03aa190)
  it('reads any group whose payload is `(ip[ <- caller])`', () => {
    const t = tp('kprobes:kvm_io_bus_register_dev__return', '(ffffffffc0348390 <- ffffffffc03aa190)');
    assert.equal(t?.type === 'probe' && `${t.group}|${t.name}|${t.ret}|${t.caller}`, 'kprobes|kvm_io_bus_register_dev|true|ffffffffc03aa190');
    // A uprobe of a Go binary (`perf probe -x mapstress -a main.boxed`), and a renamed return probe
    // (`perf probe -a 'myret=f%return'`) that only the `<-` marks as a return.
    const u = tp('probe_mapstress:main_boxed', '(4a1b20) pid=0x1');
    assert.equal(u?.type === 'probe' && `${u.group}|${u.name}|${u.ret}|${u.args.pid}`, 'probe_mapstress|main_boxed|false|0x1');
    const r = tp('probe:myret', '(4a1b20 <- 4a2000) arg1=0x0');
    assert.equal(r?.type === 'probe' && r.ret, true);
  });
  it('unquotes string args, which may hold spaces, `=` and quotes', () => {
    assert.deepEqual(parseProbeArgs('path="./dir with space/my prog" argv=0x5594a12aaa50 flags=-1591030992'), {
      path: './dir with space/my prog',
      argv: '0x5594a12aaa50',
      flags: '-1591030992',
    });
    assert.deepEqual(parseProbeArgs('a="x=1 "y" z" b=(fault) c=""'), { a: 'x=1 "y" z', b: '(fault)', c: '' });
    assert.equal(parseProbeArgs('a="unterminated'), undefined);
    assert.equal(parseProbeArgs('not an arg'), undefined);
  });
});

describe('page faults', () => {
  const addrThenIp = '563274a141e0 __progname+0x0 (/usr/bin/true) ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])';
  it('takes the first of two address groups (perf script -F +addr)', () => {
    assert.deepEqual(tp('page-faults', addrThenIp), { type: 'page_fault', addr: 0x563274a141e0n });
    assert.deepEqual(tp('minor-faults', '7ffe3e45a6b9 [unknown] ([stack]) ffffffff81bb8018 _copy_to_user+0x28 ([kernel.kallsyms])'), {
      type: 'page_fault',
      addr: 0x7ffe3e45a6b9n,
    });
    assert.deepEqual(tp('major-faults:u', '556120d521e0 ffffffff8177539a'), { type: 'page_fault', addr: 0x556120d521e0n });
    // DSOs with spaces do not start a group.
    assert.deepEqual(tp('faults', '7f00 x+0x0 (/tmp/a b/c d) ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])'), {
      type: 'page_fault',
      addr: 0x7f00n,
    });
  });
  it('reads a lone group as the data address only when a call graph follows', () => {
    const lone = '55e494cd01e0 __progname+0x0 (/usr/bin/true)';
    assert.equal(tp('page-faults', lone), undefined);
    assert.deepEqual(parseTracepoint('page-faults', lone, { callchain: true }), { type: 'page_fault', addr: 0x55e494cd01e0n });
    // The default output (no -F +addr) prints only the ip.
    assert.equal(tp('page-faults', 'ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])'), undefined);
    assert.equal(parseTracepoint('page-faults', '', { callchain: true }), undefined);
  });
  it('reads exceptions:page_fault_user/kernel', () => {
    assert.deepEqual(tp('exceptions:page_fault_user', 'address=0x7fc09020fe06 ip=0x7fc0901f77ad error_code=0x6'), {
      type: 'page_fault',
      addr: 0x7fc09020fe06n,
      ip: '0x7fc0901f77ad',
      errorCode: 6,
    });
    assert.deepEqual(tp('exceptions:page_fault_kernel', 'address=0x555d7887a1e0 ip=elf_load error_code=0x2'), {
      type: 'page_fault',
      addr: 0x555d7887a1e0n,
      ip: 'elf_load',
      errorCode: 2,
    });
  });
});

describe('syscalls', () => {
  it('names the syscall from the event and keeps args raw', () => {
    assert.deepEqual(tp('syscalls:sys_enter_getpid', ''), { type: 'sys_enter', syscall: 'getpid', args: {} });
    assert.deepEqual(tp('syscalls:sys_enter_nanosleep', 'rqtp: 0x7fff1948ac40, rmtp: 0x00000000'), {
      type: 'sys_enter',
      syscall: 'nanosleep',
      args: { rqtp: '0x7fff1948ac40', rmtp: '0x00000000' },
    });
    // Newer kernels may append the user string: keep it in the value.
    const t = tp('syscalls:sys_enter_openat', 'dfd: 0xffffff9c, filename: 0x7ffd1234 "/a, b: c", flags: 0x00080000, mode: 0x00000000');
    assert.equal(t?.type === 'sys_enter' && t.args.flags, '0x00080000');
  });
  it('reads return values as signed 64-bit', () => {
    assert.equal(parseSyscallReturn('0x0'), 0n);
    assert.equal(parseSyscallReturn('0xfffffffffffffff2'), -14n);
    assert.equal(parseSyscallReturn('0x7fffffffffffffff'), 0x7fffffffffffffffn);
    assert.equal(parseSyscallReturn('-2'), -2n);
    assert.equal(parseSyscallReturn('0x10000000000000000'), undefined);
    assert.deepEqual(tp('raw_syscalls:sys_exit', 'NR 9 = 140317214343168'), { type: 'raw_sys_exit', id: 9, ret: 140317214343168n });
    assert.deepEqual(tp('raw_syscalls:sys_enter', 'NR 321 (2, 7faf3f095bd0, 20, 100000001, 100000001, 7)'), {
      type: 'raw_sys_enter',
      id: 321,
      args: ['2', '7faf3f095bd0', '20', '100000001', '100000001', '7'],
    });
  });
  it('parses argument numbers', () => {
    assert.equal(parseArgInt('0x00000002'), 2n);
    assert.equal(parseArgInt('-1591030992'), -1591030992n);
    assert.equal(parseArgInt('7faf3f095bd0', true), 0x7faf3f095bd0n);
    assert.equal(parseArgInt('(fault)'), undefined);
  });
});

describe('unknown events and malformed payloads', () => {
  const cases: [string, string][] = [
    ['task-clock', ''],
    ['cycles:ppp', 'ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])'],
    ['sched:sched_stat_runtime', 'comm=sleep pid=13638 runtime=578104 [ns] vruntime=202889459556 [ns]'],
    ['sched:sched_switch', ''],
    ['sched:sched_switch', 'prev_comm=a prev_pid=x prev_prio=120 prev_state=S ==> next_comm=b next_pid=0 next_prio=120'],
    ['sched:sched_switch', 'prev_comm=a prev_pid=1 prev_prio=120 prev_state=S'],
    ['sched:sched_switch', 'a:1 [120] S ==> b'],
    ['sched:sched_wakeup', 'comm=a pid=1'],
    ['sched:sched_wakeup', 'garbage'],
    ['syscalls:sys_exit_bpf', 'garbage'],
    ['syscalls:sys_exit_bpf', ''],
    ['syscalls:sys_enter_bpf', 'garbage'],
    ['syscalls:sys_enter_', ''],
    ['raw_syscalls:sys_enter', 'NR x (1)'],
    ['raw_syscalls:sys_exit', 'NR 1 = '],
    ['probe:f', '(zz) a=1'],
    ['probe:f', '(ffff) a="open'],
    ['page-faults', 'not an address at all'],
    ['exceptions:page_fault_user', 'address=do_page_fault ip=x error_code=0x6'],
  ];
  for (const [event, payload] of cases) {
    it(`${event}: ${JSON.stringify(payload)} -> undefined`, () => assert.equal(tp(event, payload), undefined));
  }
});

describe('isPageFaultEvent', () => {
  it('is the set parseTracepoint reads page_fault payloads for, with or without modifiers', () => {
    for (const e of ['page-faults', 'faults', 'major-faults', 'minor-faults', 'page-faults:u', 'minor-faults:ppp']) {
      assert.equal(isPageFaultEvent(e), true, e);
      assert.equal(tp(e, '556120d521e0 ffffffff8177539a elf_load+0x28a ([kernel.kallsyms])')?.type, 'page_fault', e);
    }
    for (const e of ['exceptions:page_fault_user', 'cycles', 'page-fault', 'faults2', 'probe:faults', '']) {
      assert.equal(isPageFaultEvent(e), false, e);
    }
  });
});
