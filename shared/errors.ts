/**
 * Typed errors. Each knows its HTTP status and a stable code; the API maps them in one place
 * (shared/api/errors.ts) and never serializes anything else.
 */
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

/** A configured limit (SPEC §9) was exceeded. */
export class LimitExceededError extends TraceLensError {
  constructor(readonly limit: string, readonly value: number, readonly max: number, where: string) {
    super('too_large', `${where}: ${limit} ${value} exceeds the limit of ${max}`, { limit, value, max });
    this.name = 'LimitExceededError';
  }
}
