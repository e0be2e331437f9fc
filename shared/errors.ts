/**
 * Typed errors. Each knows its HTTP status and a stable code; the API maps them in one place
 * (shared/api/errors.ts) and never serializes anything else.
 */
import { limitInfo } from './limits.js';

export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_format'
  | 'unparsable'
  | 'rate_limited'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_format: 415,
  unparsable: 422,
  rate_limited: 429,
  internal: 500,
};

export class TraceLensError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TraceLensError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/** Where in an input something went wrong: a byte offset, a line number, or both. */
export interface InputPosition {
  /** Name of the file (archive entry) the position is in. */
  file: string;
  /** 0-based byte offset into the file's bytes (compressed bytes for a compressed stream). */
  byteOffset?: number;
  /** 1-based line number for text inputs. */
  line?: number;
}

export function formatPosition(p: InputPosition): string {
  const parts: string[] = [];
  if (p.line !== undefined) parts.push(`line ${p.line}`);
  if (p.byteOffset !== undefined) parts.push(`byte ${p.byteOffset}`);
  return parts.length ? `${p.file} (${parts.join(', ')})` : p.file;
}

/** The input is of this format but broken ("mine but malformed"): carries file and offset. */
export class MalformedInputError extends TraceLensError {
  readonly position: InputPosition;
  readonly reason: string;
  constructor(position: InputPosition, reason: string, options?: ErrorOptions) {
    super('unparsable', `${formatPosition(position)}: ${reason}`, { ...position }, options);
    this.name = 'MalformedInputError';
    this.position = position;
    this.reason = reason;
  }
}

/** The input is not of this format at all ("not mine"); the dispatcher tries another or calls it unknown. */
export class NotMyFormatError extends Error {
  constructor(readonly format: string, readonly file: string, reason: string) {
    super(`${file}: not ${format}: ${reason}`);
    this.name = 'NotMyFormatError';
  }
}

/**
 * A configured limit (SPEC §9) was exceeded. The message names the file, the byte offset when known,
 * the value, the limit and its setting: `zeros.gz (byte 16384): compressionRatio 1031 exceeds the
 * limit of 200 (decompressed bytes per compressed byte); set TRACELENS_LIMIT_COMPRESSION_RATIO to raise it`.
 */
export class LimitExceededError extends TraceLensError {
  readonly setting: string | undefined;
  constructor(readonly limit: string, readonly value: number, readonly max: number, where: string, byteOffset?: number) {
    const info = limitInfo(limit);
    const at = byteOffset === undefined ? where : formatPosition({ file: where, byteOffset });
    const how = info ? ` (${info.unit}); set ${info.env} to raise it` : '';
    super('too_large', `${at}: ${limit} ${value} exceeds the limit of ${max}${how}`, {
      limit,
      value,
      max,
      ...(info ? { setting: info.env } : {}),
      ...(byteOffset !== undefined ? { file: where, byteOffset } : {}),
    });
    this.name = 'LimitExceededError';
    this.setting = info?.env;
  }
}
