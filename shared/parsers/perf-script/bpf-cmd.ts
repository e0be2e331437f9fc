/**
 * The kernel's `enum bpf_cmd`: the first argument of the bpf(2) syscall, printed by
 * `syscalls:sys_enter_bpf` as `cmd: 0x00000002` and by `raw_syscalls:sys_enter` as `NR 321 (2, ...)`.
 *
 * Source: include/uapi/linux/bpf.h, `enum bpf_cmd`
 * (https://github.com/torvalds/linux/blob/master/include/uapi/linux/bpf.h). Values 0..36 (through
 * BPF_TOKEN_CREATE, v6.9) are the upstream header; 0..37 (through BPF_PROG_STREAM_READ_BY_FD, v6.17) were
 * also read from the BTF of the 6.18 kernel the fixtures were recorded on (/sys/kernel/btf/vmlinux);
 * 38 (BPF_PROG_ASSOC_STRUCT_OPS) is in bpf-next, where later patches to tools/include/uapi/linux/bpf.h
 * show it as context before `__MAX_BPF_CMD`. BPF_PROG_RUN is an alias of BPF_PROG_TEST_RUN (10); the
 * table gives the original name.
 */

/** Index = command number. Append new commands at the end, exactly as the header orders them. */
export const BPF_CMD_NAMES: readonly string[] = Object.freeze([
  'BPF_MAP_CREATE', // 0
  'BPF_MAP_LOOKUP_ELEM', // 1
  'BPF_MAP_UPDATE_ELEM', // 2
  'BPF_MAP_DELETE_ELEM', // 3
  'BPF_MAP_GET_NEXT_KEY', // 4
  'BPF_PROG_LOAD', // 5
  'BPF_OBJ_PIN', // 6
  'BPF_OBJ_GET', // 7
  'BPF_PROG_ATTACH', // 8
  'BPF_PROG_DETACH', // 9
  'BPF_PROG_TEST_RUN', // 10, also BPF_PROG_RUN
  'BPF_PROG_GET_NEXT_ID', // 11
  'BPF_MAP_GET_NEXT_ID', // 12
  'BPF_PROG_GET_FD_BY_ID', // 13
  'BPF_MAP_GET_FD_BY_ID', // 14
  'BPF_OBJ_GET_INFO_BY_FD', // 15
  'BPF_PROG_QUERY', // 16
  'BPF_RAW_TRACEPOINT_OPEN', // 17
  'BPF_BTF_LOAD', // 18
  'BPF_BTF_GET_FD_BY_ID', // 19
  'BPF_TASK_FD_QUERY', // 20
  'BPF_MAP_LOOKUP_AND_DELETE_ELEM', // 21
  'BPF_MAP_FREEZE', // 22
  'BPF_BTF_GET_NEXT_ID', // 23
  'BPF_MAP_LOOKUP_BATCH', // 24
  'BPF_MAP_LOOKUP_AND_DELETE_BATCH', // 25
  'BPF_MAP_UPDATE_BATCH', // 26
  'BPF_MAP_DELETE_BATCH', // 27
  'BPF_LINK_CREATE', // 28
  'BPF_LINK_UPDATE', // 29
  'BPF_LINK_GET_FD_BY_ID', // 30
  'BPF_LINK_GET_NEXT_ID', // 31
  'BPF_ENABLE_STATS', // 32
  'BPF_ITER_CREATE', // 33
  'BPF_LINK_DETACH', // 34
  'BPF_PROG_BIND_MAP', // 35
  'BPF_TOKEN_CREATE', // 36
  'BPF_PROG_STREAM_READ_BY_FD', // 37
  'BPF_PROG_ASSOC_STRUCT_OPS', // 38
]);

/** `BPF_MAP_UPDATE_ELEM` for 2; `BPF_CMD_<n>` for numbers the table does not know (newer kernels). */
export function bpfCmdName(cmd: number): string {
  const name = Number.isInteger(cmd) && cmd >= 0 ? BPF_CMD_NAMES[cmd] : undefined;
  return name ?? `BPF_CMD_${cmd}`;
}

/**
 * The command name from the argument text as perf prints it: `0x00000002` (sys_enter_bpf, `cmd: 0x%08lx`)
 * or `2` (raw_syscalls:sys_enter prints its args in hex without `0x`, so pass `hex: true` for those).
 * Undefined when the text is not a number.
 */
export function bpfCmdNameFromArg(text: string, hex = false): string | undefined {
  const t = text.trim();
  let n: number;
  if (/^0x[0-9a-f]{1,16}$/i.test(t) || (hex && /^[0-9a-f]{1,16}$/i.test(t))) {
    n = Number.parseInt(t.startsWith('0x') || t.startsWith('0X') ? t.slice(2) : t, 16);
  } else if (/^\d{1,15}$/.test(t)) {
    n = Number(t);
  } else if (/^BPF_[A-Z0-9_]+$/.test(t)) {
    // perf builds that print enum names from BTF: `cmd: BPF_MAP_UPDATE_ELEM`
    return t;
  } else {
    return undefined;
  }
  return bpfCmdName(n);
}
