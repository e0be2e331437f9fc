import type { EscapeDiagnostic } from '../../model/escape.js';
import type { Profile, ProfileFrame } from '../../model/profile.js';
import { emptyEscapeSite, type EscapeSite } from '../../model/report.js';
import { displayPath, pathParts, sameFile } from './paths.js';

/**
 * The join of SPEC §2: every escape diagnostic of the compiler, grouped by source line, with the bytes
 * and objects the heap profile allocated at that line (the leaf frame, inlined frames at their call
 * sites), the bytes allocated in callees reached from it, and the CPU spent in the allocator on its
 * behalf. Pure: diagnostics and decoded profiles in, sites out.
 */
export interface CpuFrame {
  function: string;
  file?: string;
  line?: number;
}

/** CPU stacks (leaf first) from a CPU profile (line-exact) or perf (function names only). */
export interface CpuStacks {
  source: 'pprof' | 'perf';
  /** Weight of all stacks, the denominator of cpuShare. */
  total: number;
  stacks: Array<{ frames: CpuFrame[]; weight: number }>;
}

export interface EscapeJoinInput {
  diagnostics: EscapeDiagnostic[];
  heapProfiles: Profile[];
  /** Expands a location's inlined lines leaf first (shared/parsers/pprof sampleFrames). */
  frames: (p: Profile, sample: number) => ProfileFrame[];
  cpu?: CpuStacks;
}

// The allocator's entry points (SPEC §2): `runtime.mallocgc`, `newobject`, `convT64`, `growslice`, `makemap_small`, `mapassign_faststr`.
const ALLOCATOR =
  /^runtime\.(mallocgc\w*|newobject|newarray|makeslice(copy)?|growslice|makemap(_small|64)?|mapassign(_fast\w+)?|convT\w*|rawstring|rawbyteslice|rawruneslice|concatstring\w*)$/;
// Interface conversions: `runtime.convT64`, `runtime.convTstring`, `runtime.convT`, `runtime.convTnoptr`.
const CONV_T = /^runtime\.convT\w*$/;

const isRuntime = (fn: string) => fn.startsWith('runtime.') || fn.startsWith('runtime/internal/') || fn.startsWith('internal/abi.');

interface SiteAcc {
  site: EscapeSite;
  parts: string[];
  cpuWeight: number;
  convT: Set<string>;
}

/** Diagnostics that put something on the heap. */
function isEscape(d: EscapeDiagnostic): boolean {
  return d.kind === 'escapes-to-heap' || d.kind === 'moved-to-heap';
}

export function joinEscapeSites(input: EscapeJoinInput): EscapeSite[] {
  const byLine = new Map<number, SiteAcc[]>();
  const accs: SiteAcc[] = [];
  for (const d of input.diagnostics) {
    if (!isEscape(d)) continue;
    const parts = pathParts(d.file);
    const list = byLine.get(d.line) ?? [];
    let acc = list.find((a) => sameFile(a.parts, parts) && a.parts.length === parts.length);
    if (!acc) {
      acc = {
        site: emptyEscapeSite({
          file: displayPath(d.file),
          line: d.line,
          column: d.column,
          ...(d.function ? { function: d.function } : {}),
          message: d.message,
        }),
        parts,
        cpuWeight: 0,
        convT: new Set(),
      };
      list.push(acc);
      byLine.set(d.line, list);
      accs.push(acc);
    }
    const site = acc.site;
    // The same diagnostic appears once per build flag set (-m and -m=2 of one build): keep one.
    const dup = site.diagnostics.find((x) => x.column === d.column && x.expression === d.subject);
    if (dup) {
      for (const r of d.reasons) if (!dup.reasons.includes(r)) dup.reasons.push(r);
    } else {
      site.diagnostics.push({ column: d.column, expression: d.subject, message: d.message, reasons: [...d.reasons] });
    }
    if (d.column < site.column) {
      site.column = d.column;
      site.message = d.message;
    }
    for (const r of d.reasons) if (!site.reasons.includes(r)) site.reasons.push(r);
  }
  for (const { site } of accs) {
    site.diagnostics.sort((a, b) => a.column - b.column);
    site.expression = site.diagnostics.map((d) => d.expression).join(', ');
  }

  const siteAt = (file: string | undefined, line: number | undefined): SiteAcc | undefined => {
    if (file === undefined || line === undefined) return undefined;
    const list = byLine.get(line);
    if (!list) return undefined;
    const parts = pathParts(file);
    return list.find((a) => sameFile(a.parts, parts));
  };

  const totalBytes = attributeHeap(input, siteAt);
  for (const { site } of accs) site.allocShare = totalBytes > 0 ? site.allocBytes / totalBytes : 0;
  if (input.cpu) attributeCpu(input.cpu, accs, siteAt);

  return accs
    .map((a) => a.site)
    .sort((a, b) => b.allocBytes - a.allocBytes || b.cpuShare - a.cpuShare || a.file.localeCompare(b.file) || a.line - b.line);
}

/** A heap profile's sample value indexes of alloc_space (bytes) and alloc_objects; -1 when absent. */
export function allocColumns(p: Profile): { bytesIx: number; objectsIx: number } {
  return {
    bytesIx: p.sampleTypes.findIndex((t) => t.type === 'alloc_space'),
    objectsIx: p.sampleTypes.findIndex((t) => t.type === 'alloc_objects'),
  };
}

/** Adds alloc_space/alloc_objects to the sites; returns all allocated bytes (the share's denominator). */
function attributeHeap(input: EscapeJoinInput, siteAt: (f?: string, l?: number) => SiteAcc | undefined): number {
  let total = 0;
  for (const p of input.heapProfiles) {
    const { bytesIx, objectsIx } = allocColumns(p);
    if (bytesIx < 0) continue;
    for (let i = 0; i < p.samples.length; i++) {
      const sample = p.samples[i]!;
      const bytes = sample.values[bytesIx] ?? 0;
      const objects = objectsIx >= 0 ? (sample.values[objectsIx] ?? 0) : 0;
      if (bytes === 0 && objects === 0) continue;
      total += bytes;
      const frames = input.frames(p, i);
      // The leaf location's lines, innermost first: an allocation in inlined code belongs to the first
      // of them the compiler reported an escape at (inlined code is reported at its call site).
      const leafLines = leafLocationFrames(frames);
      let direct: SiteAcc | undefined;
      for (const f of leafLines) {
        direct = siteAt(f.file, f.line);
        if (direct) {
          direct.site.allocBytes += bytes;
          direct.site.allocObjects += objects;
          direct.site.function ??= f.function;
          break;
        }
      }
      const seen = new Set<SiteAcc>();
      if (direct) seen.add(direct);
      for (const f of frames) {
        const s = siteAt(f.file, f.line);
        if (s && !seen.has(s)) {
          seen.add(s);
          s.site.calleeAllocBytes += bytes;
        }
      }
    }
  }
  return total;
}

/** The frames of the leaf location: frames up to and including the first non-inlined one. */
function leafLocationFrames(frames: ProfileFrame[]): ProfileFrame[] {
  const out: ProfileFrame[] = [];
  for (const f of frames) {
    out.push(f);
    if (!f.inlined) break;
  }
  return out;
}

/**
 * Allocator CPU: a stack with an allocator function is charged to the first non-runtime frame above
 * it — line-exact for pprof, by function for perf (split over the function's sites by their bytes).
 */
function attributeCpu(cpu: CpuStacks, accs: SiteAcc[], siteAt: (f?: string, l?: number) => SiteAcc | undefined): void {
  const byFunction = new Map<string, SiteAcc[]>();
  for (const a of accs) {
    if (!a.site.function) continue;
    const list = byFunction.get(a.site.function) ?? [];
    list.push(a);
    byFunction.set(a.site.function, list);
  }
  const functionWeight = new Map<string, { weight: number; convT: Set<string> }>();
  for (const { frames, weight } of cpu.stacks) {
    const alloc = frames.findIndex((f) => ALLOCATOR.test(f.function));
    if (alloc < 0) continue;
    const callerIx = frames.findIndex((f, i) => i > alloc && !isRuntime(f.function));
    if (callerIx < 0) continue;
    const caller = frames[callerIx]!;
    // runtime.convT* anywhere between the allocator and the caller: the caller boxes a value.
    const conv = frames.slice(0, callerIx).find((f) => CONV_T.test(f.function))?.function;
    if (cpu.source === 'pprof') {
      const s = siteAt(caller.file, caller.line);
      if (s) {
        s.cpuWeight += weight;
        if (conv) s.convT.add(conv);
      }
    } else {
      const w = functionWeight.get(caller.function) ?? { weight: 0, convT: new Set<string>() };
      w.weight += weight;
      if (conv) w.convT.add(conv);
      functionWeight.set(caller.function, w);
    }
  }
  for (const [fn, { weight, convT }] of functionWeight) {
    const sites = byFunction.get(fn);
    if (!sites) continue;
    const bytes = sites.reduce((n, s) => n + s.site.allocBytes, 0);
    for (const s of sites) {
      s.cpuWeight += bytes > 0 ? (weight * s.site.allocBytes) / bytes : weight / sites.length;
      for (const c of convT) s.convT.add(c);
    }
  }
  for (const a of accs) {
    if (a.cpuWeight === 0) continue;
    a.site.cpuShare = cpu.total > 0 ? a.cpuWeight / cpu.total : 0;
    a.site.cpuSource = cpu.source;
    for (const c of a.convT) a.site.boxingEvidence.push(`${c} (interface conversion) is called from here`);
  }
}
