import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BPF_CMD_NAMES, bpfCmdName, bpfCmdNameFromArg } from './bpf-cmd.js';

describe('enum bpf_cmd', () => {
  it('has the kernel order', () => {
    // include/uapi/linux/bpf.h, and the BTF of the 6.18 kernel the fixtures were recorded on.
    const spot: [number, string][] = [
      [0, 'BPF_MAP_CREATE'],
      [1, 'BPF_MAP_LOOKUP_ELEM'],
      [2, 'BPF_MAP_UPDATE_ELEM'],
      [3, 'BPF_MAP_DELETE_ELEM'],
      [5, 'BPF_PROG_LOAD'],
      [10, 'BPF_PROG_TEST_RUN'],
      [21, 'BPF_MAP_LOOKUP_AND_DELETE_ELEM'],
      [26, 'BPF_MAP_UPDATE_BATCH'],
      [28, 'BPF_LINK_CREATE'],
      [35, 'BPF_PROG_BIND_MAP'],
      [36, 'BPF_TOKEN_CREATE'],
      [37, 'BPF_PROG_STREAM_READ_BY_FD'],
      [38, 'BPF_PROG_ASSOC_STRUCT_OPS'],
    ];
    for (const [n, name] of spot) assert.equal(BPF_CMD_NAMES[n], name, String(n));
    assert.equal(BPF_CMD_NAMES.length, 39);
    assert.equal(new Set(BPF_CMD_NAMES).size, BPF_CMD_NAMES.length);
    assert.ok(Object.isFrozen(BPF_CMD_NAMES));
  });
  it('names unknown commands BPF_CMD_<n>', () => {
    assert.equal(bpfCmdName(2), 'BPF_MAP_UPDATE_ELEM');
    assert.equal(bpfCmdName(39), 'BPF_CMD_39');
    assert.equal(bpfCmdName(65538), 'BPF_CMD_65538');
    assert.equal(bpfCmdName(-1), 'BPF_CMD_-1');
    assert.equal(bpfCmdName(1.5), 'BPF_CMD_1.5');
  });
  it('reads the cmd argument as perf prints it', () => {
    // mapstress  6341 [000]   528.258308: syscalls:sys_enter_bpf: cmd: 0x00000002, uattr: 0xc000066d90, size: 0x00000020
    assert.equal(bpfCmdNameFromArg('0x00000002'), 'BPF_MAP_UPDATE_ELEM');
    // map worker 1 23232 [001]  4846.973052: raw_syscalls:sys_enter: NR 321 (2, 7faf3f095bd0, 20, ...)
    assert.equal(bpfCmdNameFromArg('2', true), 'BPF_MAP_UPDATE_ELEM');
    assert.equal(bpfCmdNameFromArg('1a', true), 'BPF_MAP_UPDATE_BATCH');
    assert.equal(bpfCmdNameFromArg('26'), 'BPF_MAP_UPDATE_BATCH');
    // perf with BTF-decoded enums: `syscalls:sys_enter_bpf: cmd: BPF_MAP_UPDATE_ELEM, uattr: ...`
    assert.equal(bpfCmdNameFromArg('BPF_MAP_UPDATE_ELEM'), 'BPF_MAP_UPDATE_ELEM');
    assert.equal(bpfCmdNameFromArg('cmd'), undefined);
  });
});
