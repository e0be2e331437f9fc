/**
 * A decoded pprof profile (https://github.com/google/pprof/blob/main/proto/profile.proto), with ids
 * resolved and strings looked up. Built by shared/parsers/pprof/. Int64 values are JS numbers (exact
 * below 2^53; larger magnitudes are rounded, which no real sample value reaches).
 */
export interface ValueType {
  type: string;
  unit: string;
}

export interface ProfileFunction {
  id: number;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

/** One source position of a location. */
export interface ProfileLine {
  function: ProfileFunction;
  line: number;
  /** 0 when the producer did not record columns. */
  column: number;
}

export interface ProfileMapping {
  id: number;
  memoryStart: bigint;
  memoryLimit: bigint;
  fileOffset: bigint;
  filename: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

export interface ProfileLocation {
  id: number;
  mapping?: ProfileMapping;
  address: bigint;
  /**
   * As in profile.proto: several lines mean inlining; the LAST is the caller the preceding ones were
   * inlined into, so lines[0] is the innermost (leaf-most) frame.
   */
  lines: ProfileLine[];
  isFolded: boolean;
}

export interface ProfileLabel {
  key: string;
  str?: string;
  num?: number;
  numUnit?: string;
}

/**
 * Decoded samples are read-only: their arrays are frozen, and samples with the same stack, label set
 * or values share one array (a Go heap profile repeats each stack once per allocation size). Copy
 * before changing (`[...s.locations].reverse()`, never `s.locations.reverse()`).
 */
export interface ProfileSample {
  /** Leaf first, as in profile.proto. */
  locations: ProfileLocation[];
  /** One value per sampleTypes entry. */
  values: number[];
  labels: ProfileLabel[];
}

export interface Profile {
  sampleTypes: ValueType[];
  samples: ProfileSample[];
  mappings: ProfileMapping[];
  locations: ProfileLocation[];
  functions: ProfileFunction[];
  dropFrames: string;
  keepFrames: string;
  timeNanos: number;
  durationNanos: number;
  periodType?: ValueType;
  period: number;
  comments: string[];
  /** Index into sampleTypes, or -1 when unset. */
  defaultSampleType: number;
  docUrl: string;
}

/** A frame of a sample with inlining expanded: leaf first. */
export interface ProfileFrame {
  function: string;
  file: string;
  line: number;
  column: number;
  /** True for the frames a location's last line had inlined into it. */
  inlined: boolean;
}
