import type { EscapeDiagnostic } from '../../model/escape.js';
import type { Profile, ProfileFrame } from '../../model/profile.js';
import type { EbpfBindings, EbpfMapOperation } from '../../model/report.js';
import { displayPath } from './paths.js';
import { allocColumns } from './sites.js';

/**
 * eBPF binding libraries (SPEC §2): which ones the program uses, from symbols and paths, and what their
 * map operations allocate — all of it, and the part spent marshalling keys and values (reflection,
 * encoding/binary, cilium/ebpf's marshalBytes) — charged to the program line that called them.
 */
const LIBRARIES: Array<{ name: string; path: RegExp; mapOp: RegExp }> = [
  {
    name: 'cilium/ebpf',
    // `github.com/cilium/ebpf.(*Map).Put`, `.../ebpf/internal/sys.BPF`, `/usr/share/gocode/src/github.com/cilium/ebpf/map.go`
    path: /github\.com\/cilium\/ebpf\b/,
    mapOp: /github\.com\/cilium\/ebpf\.\(\*Map\)\.(Put|Update|Lookup\w*|Delete|NextKey|Batch\w+|Iterate)$/,
  },
  {
    name: 'libbpfgo',
    // `github.com/aquasecurity/libbpfgo.(*BPFMap).Update`
    path: /github\.com\/aquasecurity\/libbpfgo\b/,
    mapOp: /github\.com\/aquasecurity\/libbpfgo\.\(\*BPFMap\)\.(Update\w*|GetValue\w*|DeleteKey\w*|GetNextKey|\w*Batch)$/,
  },
  {
    name: 'gobpf',
    // `github.com/iovisor/gobpf/bcc.(*Table).Set`, `github.com/iovisor/gobpf/elf.(*Module).UpdateElement`
    path: /github\.com\/iovisor\/gobpf\b/,
    mapOp: /github\.com\/iovisor\/gobpf\/(bcc\.\(\*Table\)\.(Set|Get|Delete\w*)|elf\.\(\*Module\)\.(UpdateElement|LookupElement|DeleteElement|LookupNextElement))$/,
  },
];

// Marshalling on a map operation's path: `reflect.copyVal`, `encoding/binary.Write`, `github.com/cilium/ebpf.marshalBytes`,
// `github.com/cilium/ebpf/internal/sysenc.Marshal`, `bytes.(*Buffer).grow` under binary.Write.
const MARSHAL = /^(reflect\.|encoding\/binary\.|github\.com\/cilium\/ebpf\.(marshal\w*|unmarshal\w*)$|github\.com\/cilium\/ebpf\/internal\/sysenc\.)/;

export interface BindingInputs {
  heapProfiles: Profile[];
  frames: (p: Profile, sample: number) => ProfileFrame[];
  /** Function names seen anywhere else (CPU profiles, perf hotspots). */
  otherFunctions: Iterable<string>;
  diagnostics: EscapeDiagnostic[];
}

export function ebpfBindings(input: BindingInputs): EbpfBindings | undefined {
  const libraries = new Set<string>();
  const evidence: string[] = [];
  const note = (lib: string, why: string) => {
    if (!libraries.has(lib)) evidence.push(`${lib}: ${why}`);
    libraries.add(lib);
  };
  for (const fn of input.otherFunctions) {
    for (const lib of LIBRARIES) if (lib.path.test(fn)) note(lib.name, `symbol ${fn}`);
  }
  for (const d of input.diagnostics) {
    // `inlining call to ebpf.(*Map).Put` names the package, not its path; the path shows in the profiles.
    for (const lib of LIBRARIES) if (lib.path.test(d.file) || lib.path.test(d.message)) note(lib.name, `compiler: ${d.message}`);
  }

  const ops = new Map<string, EbpfMapOperation>();
  for (const p of input.heapProfiles) {
    const { bytesIx, objectsIx } = allocColumns(p);
    if (bytesIx < 0) continue;
    for (let i = 0; i < p.samples.length; i++) {
      const s = p.samples[i]!;
      const bytes = s.values[bytesIx] ?? 0;
      const objects = objectsIx >= 0 ? (s.values[objectsIx] ?? 0) : 0;
      const frames = input.frames(p, i);
      for (const f of frames) for (const lib of LIBRARIES) if (lib.path.test(f.function) || lib.path.test(f.file)) note(lib.name, `symbol ${f.function}`);
      // The outermost map operation on the stack, and the caller's line just above it.
      let opIx = -1;
      let lib: (typeof LIBRARIES)[number] | undefined;
      for (let j = frames.length - 1; j >= 0 && opIx < 0; j--) {
        lib = LIBRARIES.find((l) => l.mapOp.test(frames[j]!.function));
        if (lib) opIx = j;
      }
      if (opIx < 0 || !lib) continue;
      const op = frames[opIx]!;
      const caller = frames.slice(opIx + 1).find((f) => !lib!.path.test(f.function));
      const key = `${op.function}@${caller ? `${caller.file}:${caller.line}` : ''}`;
      let entry = ops.get(key);
      if (!entry) {
        entry = { library: lib.name, operation: op.function, allocBytes: 0, allocObjects: 0, marshalBytes: 0, marshalObjects: 0 };
        if (caller) entry.callSite = { file: displayPath(caller.file), line: caller.line, function: caller.function };
        ops.set(key, entry);
      }
      entry.allocBytes += bytes;
      entry.allocObjects += objects;
      if (frames.slice(0, opIx).some((f) => MARSHAL.test(f.function))) {
        entry.marshalBytes += bytes;
        entry.marshalObjects += objects;
      }
    }
  }
  if (libraries.size === 0) return undefined;
  const mapOperations = [...ops.values()].sort((a, b) => b.allocBytes - a.allocBytes);
  return { libraries: [...libraries].sort(), evidence, mapOperations };
}
