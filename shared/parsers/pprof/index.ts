/**
 * pprof profiles (SPEC §1 kind `pprof`): gzipped or raw profile.proto → the shared Profile model.
 * `readProfile` decides gzip once, from the first bytes (`1f 8b`, as pprof's ParseData does), streams
 * the gunzip under the limits, and decodes the collected bytes (profiles are small: bigheap, 262,166
 * samples, is 12.4 MB raw). `decodeProfile` (decode.ts) is the decoder proper.
 */
import { LimitExceededError, MalformedInputError } from '../../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../limits.js';
import type { Profile, ProfileFrame, ProfileLocation } from '../../model/profile.js';
import { ByteReader, concat, type ByteSource } from '../bytes.js';
import { gunzip, isGzip } from '../gzip.js';
import { decodeProfile } from './decode.js';

export { decodeProfile, type DecodeOptions } from './decode.js';

export interface ReadProfileOptions {
  /** Name of the input, for errors. */
  file: string;
  /** decodedBytes bounds the profile (gunzipped or raw); compressionRatio the gunzip. Default DEFAULT_LIMITS. */
  limits?: Limits;
}

/**
 * Reads a gzipped or raw profile.proto. Throws GzipError/TruncatedInputError/MalformedInputError
 * with the byte offset (a gzip error's offset is in the compressed bytes; a protobuf error's in the
 * gunzipped profile, which its reason says), and LimitExceededError.
 */
export async function readProfile(source: ByteSource, opts: ReadProfileOptions): Promise<Profile> {
  const { file } = opts;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const reader = new ByteReader(source, { file });
  const gzipped = isGzip(await reader.peek(3));
  const body = gzipped ? gunzip(reader.rest(), { file, limits }) : reader.rest();
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limits.decodedBytes) throw new LimitExceededError('decodedBytes', size, limits.decodedBytes, file);
    parts.push(chunk);
  }
  const bytes = concat(parts);
  if (!gzipped) return decodeProfile(bytes, { file });
  try {
    return decodeProfile(bytes, { file });
  } catch (err) {
    if (!(err instanceof MalformedInputError)) throw err;
    const Kind = err.constructor as typeof MalformedInputError;
    throw new Kind(err.position, `${err.reason} (byte offset in the gunzipped profile)`, { cause: err });
  }
}

/**
 * The frames of one location, leaf first: its lines in order (lines[0] is the innermost inlined
 * function, the last line the function they were inlined into), `inlined` on all but the last.
 * A location without lines (not symbolized) is one frame named by its address, `0x4b86b1`.
 */
export function sampleFrames(location: ProfileLocation): ProfileFrame[] {
  const lines = location.lines;
  const n = lines.length;
  if (n === 0) {
    return [{ function: `0x${location.address.toString(16)}`, file: '', line: 0, column: 0, inlined: false }];
  }
  const frames: ProfileFrame[] = [];
  for (let i = 0; i < n; i++) {
    const l = lines[i]!;
    const fn = l.function;
    frames.push({ function: fn.name || fn.systemName, file: fn.filename, line: l.line, column: l.column, inlined: i < n - 1 });
  }
  return frames;
}

/** The index of the sample type named `type` (and `unit`, when given), or -1. */
export function sampleTypeIndex(p: Profile, type: string, unit?: string): number {
  return p.sampleTypes.findIndex((t) => t.type === type && (unit === undefined || t.unit === unit));
}
