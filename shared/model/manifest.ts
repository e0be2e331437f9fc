/** `manifest.json` (SPEC §1): everything optional. */
export interface Manifest {
  repo?: string;
  branch?: string;
  commit?: string;
  goVersion?: string;
  labels?: Record<string, string>;
  /** Program name / comm to focus on. */
  binary?: string;
  /** Pairs that map the Go process clock (gctrace `@`) onto the perf clock. */
  clock?: { anchors: Array<{ perfSeconds: number; goSeconds: number }> };
}
