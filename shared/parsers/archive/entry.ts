/**
 * What the container readers (tar.ts, zip.ts, index.ts) share: the entry type, entry names,
 * entry bodies that the reader can drain when the consumer did not, and archive errors.
 */
import { LimitExceededError, MalformedInputError } from '../../errors.js';
import type { Limits } from '../../limits.js';
import { TruncatedInputError, type ByteSource } from '../bytes.js';
import { GzipError } from '../gzip.js';

export interface ArchiveEntry {
  /** Normalized path inside the archive: a label, never a file system path. */
  name: string;
  /** Bytes the entry takes in the archive, when known before its body is read. */
  storedBytes?: number;
  /**
   * The entry's bytes as stored (an entry that is itself gzipped stays gzipped). Read it fully,
   * partly or not at all: asking for the next entry skips what is left. Reading it after that
   * throws.
   */
  body: ByteSource;
}

export type ContainerFormat = 'tar.gz' | 'tar' | 'zip' | 'gzip' | 'file';

/** What a container reader needs to know about the archive it reads. */
export interface ArchiveContext {
  /** The archive's name, for errors. */
  archive: string;
  limits: Limits;
  /** Regular-file entries yielded so far, shared across the readers of one archive. */
  entries: number;
}

/** Counts one more entry against Limits.entries; `at` is where its header starts in the (decoded) archive. */
export function countEntry(ctx: ArchiveContext, at?: number): void {
  ctx.entries++;
  if (ctx.entries > ctx.limits.entries) {
    throw new LimitExceededError('entries', ctx.entries, ctx.limits.entries, ctx.archive, at);
  }
}

/**
 * Entry names are labels: `./a/b`, `/a/b`, `a//b` and `../../a/b` all become `a/b`;
 * backslashes (zip files written on Windows) are separators.
 */
export function normalizeEntryName(raw: string): string {
  const parts = raw.split(/[/\\]+/).filter((p) => p !== '' && p !== '.' && p !== '..');
  return parts.join('/');
}

/**
 * Where an error met while reading a container is reported: in the entry being read (file is the
 * entry, byteOffset within it) or, between entries, in the archive itself (opts.name).
 */
export interface ErrorSite {
  archive: string;
  entry?: string;
  /** Offset within the entry's stored bytes. */
  entryOffset?: number;
}

/**
 * Rewords the stream errors under a container (a gzip stream that ended or broke, an input that
 * ended inside a structure) as errors of the archive, at the site being read. Errors that already
 * name their place (our own MalformedInputErrors, LimitExceededError) pass through.
 */
export function archiveError(err: unknown, site: ErrorSite): unknown {
  if (!(err instanceof GzipError || err instanceof TruncatedInputError)) return err;
  if (err.position.file !== site.archive) return err; // already rewritten at a deeper site
  const off = err.position.byteOffset ?? 0;
  let reason: string;
  if (err instanceof GzipError) {
    reason = err.truncated
      ? `archive ${site.archive} is truncated: gzip stream ended at compressed byte ${off}`
      : `archive ${site.archive} is corrupt: ${err.reason} at compressed byte ${off}`;
  } else {
    reason = `archive ${site.archive} is truncated: ${err.reason} at byte ${off}`;
  }
  const position =
    site.entry === undefined
      ? { file: site.archive, byteOffset: off }
      : { file: site.entry, byteOffset: site.entryOffset ?? 0 };
  return err instanceof TruncatedInputError || (err instanceof GzipError && err.truncated)
    ? new TruncatedInputError(position, reason, { cause: err })
    : new MalformedInputError(position, reason, { cause: err });
}

/**
 * An entry's body handed to the consumer. The consumer may read it fully, partly (a `break` out of
 * `for await` does not close it) or not at all; the container reader then `drain()`s the rest so
 * that it stands at the next entry. An error met while reading is kept and thrown again by drain():
 * a container cannot go on past a broken entry.
 */
export class EntryBody implements AsyncIterable<Uint8Array> {
  private error: unknown;
  private failed = false;
  private finished = false;
  private stale = false;
  private taken = false;

  constructor(
    private readonly gen: AsyncGenerator<Uint8Array>,
    private readonly name: string,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.taken) throw new Error(`archive entry ${this.name}: its body can be read only once`);
    this.taken = true;
    return {
      next: () => this.next(),
      // Leaving a `for await` early must not close the generator: drain() still needs it.
      return: async () => ({ done: true, value: undefined }),
    };
  }

  private async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.stale) throw new Error(`archive entry ${this.name}: body read after the archive moved on`);
    return this.step();
  }

  private async step(): Promise<IteratorResult<Uint8Array>> {
    if (this.failed) throw this.error;
    if (this.finished) return { done: true, value: undefined };
    try {
      const r = await this.gen.next();
      if (r.done) this.finished = true;
      return r;
    } catch (err) {
      this.failed = true;
      this.error = err;
      throw err;
    }
  }

  /** Ends the consumer's access without reading the rest (the last entry of a lone file). */
  detach(): void {
    this.stale = true;
  }

  /** Reads and drops what the consumer left; rethrows the body's error, if it had one. */
  async drain(): Promise<void> {
    this.stale = true;
    while (!(await this.step()).done) {
      // dropped
    }
  }
}
