import type { EscapeDiagnostic } from '../../model/escape.js';
import type { AnalysisResult } from '../../model/report.js';
import { DQ } from '../data-quality.js';
import { PprofCollector } from '../pprof-collector.js';
import type { CpuStacks } from './sites.js';
import { allocColumns, joinEscapeSites } from './sites.js';
import { isInterfaceParamMethod, markBoxing, type CallSite } from './boxing.js';
import { ebpfBindings } from './bindings.js';
import { escapeFindings } from './findings.js';

export interface EscapeJoinSources {
  diagnostics: EscapeDiagnostic[];
  pprof: PprofCollector;
  /** perf stacks of the busiest sampling event, used when there is no CPU profile. */
  perfCpu?: CpuStacks;
  /** Function names seen in perf stacks, for binding detection. */
  perfFunctions: Iterable<string>;
}

/** Escape sites, boxing, eBPF bindings and their findings, once every input has been read. */
export function joinEscapes(src: EscapeJoinSources, result: AnalysisResult): void {
  const heapProfiles = src.pprof.heapProfiles();
  const cpu = src.pprof.cpuStacks() ?? src.perfCpu;
  const sites = joinEscapeSites({ diagnostics: src.diagnostics, heapProfiles, frames: PprofCollector.frames, ...(cpu ? { cpu } : {}) });

  const calls: CallSite[] = [];
  let bytes = 0;
  let objects = 0;
  for (const p of heapProfiles) {
    const { bytesIx: b, objectsIx: o } = allocColumns(p);
    for (let i = 0; i < p.samples.length; i++) {
      const s = p.samples[i]!;
      if (b >= 0) bytes += s.values[b] ?? 0;
      if (o >= 0) objects += s.values[o] ?? 0;
      const frames = PprofCollector.frames(p, i);
      for (let j = 0; j + 1 < frames.length; j++) {
        if (isInterfaceParamMethod(frames[j]!.function)) calls.push({ file: frames[j + 1]!.file, line: frames[j + 1]!.line, callee: frames[j]!.function });
      }
    }
  }
  markBoxing(sites, src.diagnostics, calls);

  const otherFunctions = new Set<string>(src.perfFunctions);
  for (const { profile } of src.pprof.profiles) for (const f of profile.functions) otherFunctions.add(f.name);
  const ebpf = ebpfBindings({ heapProfiles, frames: PprofCollector.frames, otherFunctions, diagnostics: src.diagnostics });
  if (ebpf) result.ebpf = ebpf;

  result.escapeSites = sites;
  result.findings.push(...escapeFindings(sites, { bytes, objects }, ebpf));

  if (sites.length > 0 && heapProfiles.length === 0) {
    result.dataQuality.push({
      rule: DQ.escapeJoinIncomplete,
      severity: 'info',
      message: `${sites.length} escape sites from the compiler, but no heap profile (alloc_space) to weigh them: add a heap/allocs profile to rank them by bytes`,
    });
  }
}
