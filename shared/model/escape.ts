/**
 * The Go compiler's escape-analysis diagnostics (`go build -gcflags=-m`, `-m=2`, `-json=0,DIR`), as
 * shared/parsers/go-escape.ts yields them.
 *
 *   ./main.go:23:9: map[string]interface {}{...} escapes to heap
 *   ./main.go:70:12: key escapes to heap:
 *   ./main.go:70:12:   flow: {heap} = &{storage for key}:
 *   ./main.go:70:12:     from key (spill) at ./main.go:70:12
 *   ./main.go:70:12:     from ebpf.key = key (interface-converted) at ./main.go:70:12
 */
export type EscapeKind =
  /** `moved to heap: x` — a variable whose address escapes lives on the heap. */
  | 'moved-to-heap'
  /** `EXPR escapes to heap` — the value (composite literal, closure, boxed scalar...) is heap-allocated. */
  | 'escapes-to-heap'
  /** `leaking param: p`, `leaking param: p to result ~r0 level=0`. */
  | 'leaking-param'
  /** `leaking param content: p`. */
  | 'leaking-param-content'
  /** `leaking closure reference x` and other leaks. */
  | 'leaking-other'
  /** `EXPR does not escape`, `p does not escape`. */
  | 'does-not-escape'
  /** `can inline f`, `cannot inline f: reason`. */
  | 'can-inline'
  | 'cannot-inline'
  /** `inlining call to f`. */
  | 'inlining-call'
  /** Anything else the compiler printed at a position (kept, not interpreted). */
  | 'other';

export interface EscapeDiagnostic {
  /** The path as printed: `./main.go`, `sub/x.go`, `/abs/path/x.go`. */
  file: string;
  line: number;
  column: number;
  /** The package of the `# pkg` header above, when there was one. */
  package?: string;
  kind: EscapeKind;
  /** The expression or name the message is about: `map[string]interface {}{...}`, `key`, `p`, `f`. */
  subject: string;
  /** The whole message after `file:line:col: `, without the trailing `:` that introduces a flow. */
  message: string;
  /** The enclosing function when the compiler named it (old analyzer prefixes, `-json` ranges). */
  function?: string;
  /** `level=N` of leaking params. */
  level?: number;
  /** `to result ~r0` of leaking params. */
  toResult?: string;
  /** `-m=2` explanation lines attached to this diagnostic, verbatim and trimmed. */
  flow: string[];
  /** Reasons named in the flow, e.g. `interface-converted`, `spill`, `call parameter`, `address-of`. */
  reasons: string[];
  /** 1-based line of the input where the diagnostic started. */
  inputLine: number;
}
