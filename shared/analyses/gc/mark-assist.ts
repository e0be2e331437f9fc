/**
 * Mark-assist blame: which functions allocate while the GC makes them pay mark assists
 * (`runtime.gcAssistAlloc*` on the stack). A pure accumulator over perf samples.
 */
import type { PerfFrame, PerfSample } from '../../model/perf.js';

export interface MarkAssistResult {
  /** Weight (period, or 1) of sampling-event samples with gcAssistAlloc on the stack. */
  assistWeight: number;
  /** Weight of all sampling-event samples (tracepoint samples are skipped). */
  totalWeight: number;
  /** Weight of samples in any GC work (background mark, drain, roots, scan, assist, mark termination). */
  gcWeight: number;
  /** Allocating functions paying the assists, heaviest first; share of assistWeight. */
  functions: Array<{ name: string; weight: number; share: number }>;
}

const ASSIST = new Set(['runtime.gcAssistAlloc', 'runtime.gcAssistAlloc1', 'runtime.gcAssistAlloc.func1']);
const GC_PREFIXES = ['runtime.gcBgMarkWorker', 'runtime.gcDrain', 'runtime.markroot', 'runtime.scanobject', 'runtime.gcAssistAlloc', 'runtime.gcMarkTermination'];
const ALLOC_PREFIXES = ['runtime.mallocgc', 'runtime.newobject', 'runtime.growslice', 'runtime.makeslice', 'runtime.makemap', 'runtime.mapassign', 'runtime.convT'];
/** Blame when no non-runtime frame sits above the allocator (e.g. the runtime allocating for itself). */
export const RUNTIME_ONLY = '(runtime)';

function startsWithAny(s: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (s.startsWith(p)) return true;
  return false;
}
const copy = (s: string): string => (' ' + s).slice(1);

/** The function blamed for an assist, given frames leaf first and the index of the assist frame. */
export function blameFrame(frames: readonly PerfFrame[], assistIdx: number): string {
  let i = assistIdx + 1;
  let alloc = -1;
  for (let j = i; j < frames.length; j++) if (startsWithAny(frames[j]!.symbol, ALLOC_PREFIXES)) { alloc = j; break; }
  if (alloc >= 0) i = alloc + 1;
  for (; i < frames.length; i++) {
    const sym = frames[i]!.symbol;
    if (!sym.startsWith('runtime.') && !ASSIST.has(sym)) return sym;
  }
  return RUNTIME_ONLY;
}

export class MarkAssistBlame {
  private assistWeight = 0;
  private totalWeight = 0;
  private gcWeight = 0;
  private readonly byFn = new Map<string, number>();

  sample(s: PerfSample): void {
    if (s.tracepoint) return;
    const w = s.period ?? 1;
    this.totalWeight += w;
    let assistIdx = -1;
    let gc = false;
    const frames = s.frames;
    for (let i = 0; i < frames.length; i++) {
      const sym = frames[i]!.symbol;
      if (assistIdx < 0 && ASSIST.has(sym)) assistIdx = i;
      if (!gc && startsWithAny(sym, GC_PREFIXES)) gc = true;
    }
    if (gc) this.gcWeight += w;
    if (assistIdx < 0) return;
    this.assistWeight += w;
    // Use the outermost assist frame, so gcAssistAlloc1 under gcAssistAlloc.func1 under gcAssistAlloc counts once.
    for (let i = frames.length - 1; i > assistIdx; i--) if (ASSIST.has(frames[i]!.symbol)) { assistIdx = i; break; }
    const name = blameFrame(frames, assistIdx);
    const prev = this.byFn.get(name);
    if (prev === undefined) this.byFn.set(copy(name), w);
    else this.byFn.set(name, prev + w);
  }

  result(limit = 10): MarkAssistResult {
    const functions = [...this.byFn]
      .map(([name, weight]) => ({ name, weight, share: this.assistWeight > 0 ? weight / this.assistWeight : 0 }))
      .sort((a, b) => b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .slice(0, Math.max(0, limit));
    return { assistWeight: this.assistWeight, totalWeight: this.totalWeight, gcWeight: this.gcWeight, functions };
  }
}
