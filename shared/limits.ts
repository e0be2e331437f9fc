/**
 * Limits on what one analysis reads (SPEC §9). Every limit has a default here and a setting
 * (environment variable `TRACELENS_LIMIT_<NAME>` read once in shared/config.ts). Errors that report a
 * limit name its setting (LIMIT_SETTINGS), so whoever hits one knows what to raise.
 */
export interface Limits {
  /** Largest archive accepted, as stored. Default 4 GiB. */
  archiveBytes: number;
  /** Largest total of decoded bytes, per gzip/deflate stream and over all entries of an analysis. Default 16 GiB. */
  decodedBytes: number;
  /** Largest ratio of decoded to stored bytes for one gzip stream once it is past 1 MiB (bombs). Default 200. */
  compressionRatio: number;
  /** Most entries (files) in one archive. Default 10 000. */
  entries: number;
  /** Longest text line, in bytes. Default 16 MiB. */
  lineBytes: number;
  /** Deepest stack kept, in frames; deeper stacks keep their leaf-most frames under `[truncated]`. Default 1024. */
  stackDepth: number;
  /** Most distinct stacks kept per perf input; samples of further new stacks fold into `[truncated]`. Default 1 000 000. */
  distinctStacks: number;
  /** Longest an analysis may read, in seconds; then it ends failed with what was read. Default 840 (the Lambda stops at 900). */
  analysisSeconds: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  archiveBytes: 4 * 1024 ** 3,
  decodedBytes: 16 * 1024 ** 3,
  compressionRatio: 200,
  entries: 10_000,
  lineBytes: 16 * 1024 ** 2,
  stackDepth: 1024,
  distinctStacks: 1_000_000,
  analysisSeconds: 840,
});

/** Each limit's setting (environment variable) and what it counts, for errors and docs. */
export const LIMIT_SETTINGS: Readonly<Record<keyof Limits, { env: string; unit: string }>> = Object.freeze({
  archiveBytes: { env: 'TRACELENS_LIMIT_ARCHIVE_BYTES', unit: 'stored bytes' },
  decodedBytes: { env: 'TRACELENS_LIMIT_DECODED_BYTES', unit: 'decompressed bytes' },
  compressionRatio: { env: 'TRACELENS_LIMIT_COMPRESSION_RATIO', unit: 'decompressed bytes per compressed byte' },
  entries: { env: 'TRACELENS_LIMIT_ENTRIES', unit: 'files in the archive' },
  lineBytes: { env: 'TRACELENS_LIMIT_LINE_BYTES', unit: 'bytes in one line' },
  stackDepth: { env: 'TRACELENS_LIMIT_STACK_DEPTH', unit: 'frames in one stack' },
  distinctStacks: { env: 'TRACELENS_LIMIT_DISTINCT_STACKS', unit: 'distinct stacks' },
  analysisSeconds: { env: 'TRACELENS_LIMIT_ANALYSIS_SECONDS', unit: 'seconds of analysis' },
});

/** A limit's setting and unit; undefined for a name that is no limit (nor an Object.prototype key). */
export function limitInfo(limit: string): { env: string; unit: string } | undefined {
  return Object.hasOwn(LIMIT_SETTINGS, limit) ? LIMIT_SETTINGS[limit as keyof Limits] : undefined;
}

/** `TRACELENS_LIMIT_COMPRESSION_RATIO` for `compressionRatio`; undefined for a name that is no limit. */
export function limitSetting(limit: string): string | undefined {
  return limitInfo(limit)?.env;
}
