/**
 * Limits on what one analysis reads (SPEC §9). Every limit has a default here and a setting
 * (environment variable `TRACELENS_LIMIT_<NAME>` read once in shared/config.ts, or a CLI flag).
 */
export interface Limits {
  /** Largest archive accepted, as stored. Default 4 GiB. */
  archiveBytes: number;
  /** Largest total of decoded bytes over all entries. Default 16 GiB. */
  decodedBytes: number;
  /** Largest ratio of decoded to stored bytes for one gzip stream once it is past 1 MiB (bombs). Default 200. */
  compressionRatio: number;
  /** Most entries (files) in one archive. Default 10 000. */
  entries: number;
  /** Longest text line, in bytes. Default 16 MiB. */
  lineBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  archiveBytes: 4 * 1024 ** 3,
  decodedBytes: 16 * 1024 ** 3,
  compressionRatio: 200,
  entries: 10_000,
  lineBytes: 16 * 1024 ** 2,
});
