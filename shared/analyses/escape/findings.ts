import { createHash } from 'node:crypto';
import type { EbpfBindings, EscapeSite, Finding, Severity } from '../../model/report.js';

/**
 * ESC001, ESC002 and BPF002 (SPEC §3). Ids are stable fingerprints: the rule and the location (and
 * what escapes there), never the numbers, so the same site gets the same id in every run.
 */
export interface EscapeThresholds {
  /** ESC001: a site's share of allocated bytes (or objects) from which it is reported. Default 0.10. */
  heavyShare: number;
  /** ESC002: share of bytes, objects or allocator CPU from which boxing counts as allocation-heavy. Default 0.01. */
  boxingShare: number;
  /** BPF002: share of all allocated bytes that map-operation marshalling must reach. Default 0.01. */
  marshalShare: number;
}

export const DEFAULT_ESCAPE_THRESHOLDS: EscapeThresholds = { heavyShare: 0.1, boxingShare: 0.01, marshalShare: 0.01 };

export function findingId(rule: string, ...where: Array<string | number>): string {
  return `${rule}-${createHash('sha256').update([rule, ...where].join('\u0000')).digest('hex').slice(0, 12)}`;
}

const mb = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

export function escapeFindings(
  sites: EscapeSite[],
  totals: { bytes: number; objects: number },
  ebpf: EbpfBindings | undefined,
  t: EscapeThresholds = DEFAULT_ESCAPE_THRESHOLDS,
): Finding[] {
  const out: Finding[] = [];
  for (const s of sites) {
    const objectShare = totals.objects > 0 ? s.allocObjects / totals.objects : 0;
    const where = { file: s.file, line: s.line, column: s.column, ...(s.function ? { function: s.function } : {}) };
    const evidence = {
      allocBytes: s.allocBytes,
      allocObjects: s.allocObjects,
      allocShare: roundShare(s.allocShare),
      objectShare: roundShare(objectShare),
      calleeAllocBytes: s.calleeAllocBytes,
      cpuShare: roundShare(s.cpuShare),
      expressions: s.diagnostics.map((d) => d.expression),
    };
    if (s.allocShare >= t.heavyShare || objectShare >= t.heavyShare) {
      const severity: Severity = s.allocShare >= 0.4 ? 'error' : 'warning';
      out.push({
        id: findingId('ESC001', s.file, s.line, s.expression),
        rule: 'ESC001',
        severity,
        title: `${s.file}:${s.line} allocates ${pct(s.allocShare)} of heap bytes (${s.expression})`,
        message: `${s.expression} escapes to the heap at ${s.file}:${s.line}${s.function ? ` in ${s.function}` : ''}: ${mb(s.allocBytes)} in ${s.allocObjects.toLocaleString('en-US')} objects (${pct(s.allocShare)} of bytes, ${pct(objectShare)} of objects)${s.cpuShare > 0 ? `, ${pct(s.cpuShare)} of CPU in the allocator` : ''}.`,
        location: where,
        evidence,
        recommendation: heavyFix(s),
      });
    }
    if (s.boxing && (s.allocShare >= t.boxingShare || objectShare >= t.boxingShare || s.cpuShare >= t.boxingShare)) {
      out.push({
        id: findingId('ESC002', s.file, s.line, s.expression),
        rule: 'ESC002',
        severity: 'warning',
        title: `Interface boxing at ${s.file}:${s.line} (${s.expression})`,
        message: `Values are converted to interfaces at ${s.file}:${s.line} on an allocation-heavy path: ${mb(s.allocBytes)} in ${s.allocObjects.toLocaleString('en-US')} objects here${s.calleeAllocBytes > 0 ? ` and ${mb(s.calleeAllocBytes)} in what it calls` : ''}. Evidence: ${s.boxingEvidence.join('; ')}.`,
        location: where,
        evidence: { ...evidence, boxingEvidence: s.boxingEvidence },
        recommendation: boxingFix(s),
      });
    }
  }
  for (const op of ebpf?.mapOperations ?? []) {
    if (totals.bytes === 0 || op.marshalBytes / totals.bytes < t.marshalShare) continue;
    const at = op.callSite ? `${op.callSite.file}:${op.callSite.line}` : 'an unknown caller';
    out.push({
      id: findingId('BPF002', op.operation, op.callSite?.file ?? '', op.callSite?.line ?? 0),
      rule: 'BPF002',
      severity: 'warning',
      title: `${short(op.operation)} marshals on every call from ${at}`,
      message: `${op.library} ${short(op.operation)} called from ${at} allocated ${mb(op.allocBytes)} in ${op.allocObjects.toLocaleString('en-US')} objects, ${mb(op.marshalBytes)} of it marshalling keys and values (reflection, encoding/binary) — ${pct(op.marshalBytes / totals.bytes)} of all heap bytes.`,
      location: op.callSite ? { file: op.callSite.file, line: op.callSite.line, function: op.callSite.function } : {},
      evidence: {
        library: op.library,
        operation: op.operation,
        allocBytes: op.allocBytes,
        allocObjects: op.allocObjects,
        marshalBytes: op.marshalBytes,
        marshalObjects: op.marshalObjects,
        marshalShare: roundShare(op.marshalBytes / totals.bytes),
      },
      recommendation:
        op.library === 'cilium/ebpf'
          ? 'Give the map fixed-size key and value types and pass pointers to them (e.g. `var k uint32; var v Event; m.Put(&k, &v)`), or pre-marshalled `[]byte` buffers reused across calls: cilium/ebpf then copies bytes instead of running encoding/binary and reflection on every call. For many updates, use `Map.BatchUpdate` to amortize marshalling and syscalls.'
          : 'Pass pre-marshalled bytes or pointers to fixed-size values reused across calls, and batch map updates where the library supports it.',
    });
  }
  return out;
}

function heavyFix(s: EscapeSite): string {
  const expr = s.expression;
  if (/interface \{\}|\bany\b/.test(expr)) {
    return `Replace the ${expr.split(',')[0]} with a struct of concrete fields (e.g. \`type Event struct { Pid uint32; Comm [16]byte; Ts int64 }\`) passed by pointer or value; a map of interfaces allocates the map, its buckets and a box for every non-pointer value.`;
  }
  if (/^make\(\[\]/.test(expr)) return `Allocate the ${expr} once and reuse it across iterations (or take it from a sync.Pool) instead of making a new one that escapes.`;
  if (s.diagnostics.some((d) => d.message.startsWith('moved to heap'))) {
    return `Keep ${expr} on the stack: do not let its address outlive the function (return it by value, pass pointers down rather than up, avoid storing it in a longer-lived structure).`;
  }
  return `Avoid the escape of ${expr}: return or pass it by value, hoist it out of the loop and reuse it, or preallocate with the final size.`;
}

function boxingFix(s: EscapeSite): string {
  if (s.boxingEvidence.some((e) => /ebpf\.\(\*Map\)\./.test(e))) {
    return 'Pass pointers to fixed-size values (`m.Put(&key, &value)` with `key uint32` and a struct value): a pointer converts to interface{} without allocating, and cilium/ebpf copies its bytes directly instead of boxing and reflecting.';
  }
  if (/interface \{\}|\bany\b/.test(s.expression)) {
    return 'Use a concrete struct type instead of interface{} elements; if an interface is needed at an API boundary, convert once, outside the hot loop.';
  }
  return 'Keep the value concrete on the hot path (generic functions or concrete parameter types instead of interface{}), or pass a pointer, which converts to an interface without allocating.';
}

function short(fn: string): string {
  return fn.replace(/^.*\//, '');
}

/** A share or ratio in finding evidence: 4 decimals, so evidence does not churn in the last digits. */
export function roundShare(x: number): number {
  return Math.round(x * 10000) / 10000;
}
