import type { EscapeDiagnostic } from '../../model/escape.js';
import type { EscapeSite } from '../../model/report.js';
import { displayPath, pathParts, sameFile } from './paths.js';

/** A call seen in the profiles' stacks: `callee` called from `file:line`. */
export interface CallSite {
  file: string;
  line: number;
  callee: string;
}

/**
 * Interface boxing (SPEC §2): a concrete value converted to an interface, which costs an allocation
 * for anything that is not pointer-shaped or a small constant. Evidence, strongest first:
 *   - the compiler's `-m=2` flow says `(interface-converted)` for a value at this line;
 *   - a composite literal of interface element type escapes here (`map[string]interface {}{...}`);
 *   - the line calls a binding method whose parameters are `interface{}` (cilium/ebpf `Map.Put(key, value interface{})`)
 *     and values escape on it;
 *   - CPU stacks show `runtime.convT*` called from the line (added by the join in sites.ts).
 */

// `from ebpf.key = key (interface-converted) at ./main.go:70:18` — the position a conversion happens at.
const CONVERTED_AT = /\(interface-converted\) at (.+):(\d+):(\d+)$/;
// `map[string]interface {}{...}`, `[]interface {}{...}`, `[]any{...}`: literals whose elements are boxed.
const INTERFACE_LITERAL = /(interface \{\}|\bany\b)[\]})]*\{/;
// Methods of eBPF bindings that take `interface{}` keys and values (cilium/ebpf map.go):
//   func (m *Map) Put(key, value interface{}) error; Update(key, value interface{}, flags MapUpdateFlags);
//   Lookup(key, valueOut interface{}); LookupAndDelete; Delete(key interface{}); NextKey; Batch*.
const INTERFACE_PARAM_METHOD =
  /(^|[./])ebpf\.\(\*Map\)\.(Put|Update|Lookup|LookupWithFlags|LookupAndDelete|LookupAndDeleteWithFlags|Delete|NextKey|BatchUpdate|BatchLookup|BatchLookupAndDelete|BatchDelete)$/;
export function isInterfaceParamMethod(fn: string): boolean {
  return INTERFACE_PARAM_METHOD.test(fn);
}

// `inlining call to ebpf.(*Map).Put`
const INLINING_CALL = /^inlining call to (.+)$/;

/** Marks sites as boxing and records why; `calls` are binding calls seen in the profiles' stacks. */
export function markBoxing(sites: EscapeSite[], diagnostics: EscapeDiagnostic[], calls: CallSite[]): void {
  const key = (file: string, line: number) => `${displayPath(file)}:${line}`;
  const evidence = new Map<string, string[]>();
  const allCalls = [...calls];
  const add = (k: string, why: string) => {
    const list = evidence.get(k) ?? [];
    if (!list.includes(why)) list.push(why);
    evidence.set(k, list);
  };

  for (const d of diagnostics) {
    const here = key(d.file, d.line);
    // The conversion's own position, not the diagnostic's: `make([]byte, 64)` at line 50 flows into an
    // interface at line 70 (`from val (interface-converted) at ./main.go:70:18`), which is where it boxes.
    for (const f of d.flow) {
      const m = CONVERTED_AT.exec(f);
      if (m) add(key(m[1]!, Number(m[2])), `compiler: a value is interface-converted at ${displayPath(m[1]!)}:${m[2]}:${m[3]} (-m=2)`);
    }
    if ((d.kind === 'escapes-to-heap' || d.kind === 'moved-to-heap') && INTERFACE_LITERAL.test(d.subject)) {
      add(here, `${d.subject} boxes every element into an interface`);
    }
    const inl = d.kind === 'inlining-call' ? INLINING_CALL.exec(d.message) : null;
    if (inl && INTERFACE_PARAM_METHOD.test(inl[1]!)) allCalls.push({ file: d.file, line: d.line, callee: inl[1]! });
  }

  for (const site of sites) {
    const k = key(site.file, site.line);
    const parts = pathParts(site.file);
    const callees = new Set(
      allCalls
        .filter((c) => c.line === site.line && INTERFACE_PARAM_METHOD.test(c.callee) && sameFile(pathParts(c.file), parts))
        .map((c) => c.callee.replace(/^.*\//, '')),
    );
    for (const fn of callees) add(k, `${site.expression} passed as interface{} to ${fn}(key, value interface{})`);
    const why = evidence.get(k) ?? [];
    site.boxingEvidence.unshift(...why.filter((w) => !site.boxingEvidence.includes(w)));
    site.boxing = site.boxingEvidence.length > 0;
  }
}
