/**
 * Reads a trace archive (SPEC §1): `.tar.gz`/`.tgz`, `.tar`, `.zip`, or a single file, optionally
 * gzipped. The container is told from content, never from the name: gzip magic `1f 8b 08` (then
 * sniffed again inside), `ustar` at byte 257 or a valid v7 tar header, `PK\3\4` (or the `PK\5\6`
 * of an empty zip); anything else is one file.
 */
import { LimitExceededError } from '../../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../limits.js';
import { ByteReader, type ByteSource } from '../bytes.js';
import { gunzip, isGzip, parseGzipHeader, PROGRESS_STEP_BYTES } from '../gzip.js';
import { archiveError, countEntry, EntryBody, normalizeEntryName, type ArchiveContext, type ArchiveEntry, type ContainerFormat, type ErrorSite } from './entry.js';
import { BLOCK, isTar, readTar } from './tar.js';
import { readZip } from './zip.js';

export type { ArchiveEntry, ContainerFormat } from './entry.js';
export { normalizeEntryName } from './entry.js';

export interface ReadArchiveOptions {
  /** The archive's name (upload file name or path): errors name it; a lone file's entry is named after it. */
  name: string;
  /** archiveBytes, decodedBytes, compressionRatio, entries. Default DEFAULT_LIMITS. */
  limits?: Limits;
  /** Stored (archive) bytes read so far, at most every ~1 MiB and once at the end. */
  onStoredBytes?: (n: number) => void;
  /** The container format, once sniffed. */
  onFormat?: (format: ContainerFormat) => void;
}

/** Bytes looked at to sniff a container: one tar header block. */
const SNIFF_BYTES = BLOCK;
/** Bytes looked at for a gzip header's FNAME field. */
const GZIP_HEADER_BYTES = 64 * 1024;

function isZip(head: Uint8Array): boolean {
  // PK\3\4: a local file header; PK\5\6: the end record of an empty zip.
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/**
 * The regular files of the archive, one at a time (see ArchiveEntry for how bodies are read).
 * Throws MalformedInputError for a broken container (naming the entry being read, or the archive
 * between entries) and LimitExceededError for the limits.
 */
export async function* readArchive(source: ByteSource, opts: ReadArchiveOptions): AsyncGenerator<ArchiveEntry> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const archive = opts.name;
  const ctx: ArchiveContext = { archive, limits, entries: 0 };
  const raw = new ByteReader(counted(source, archive, limits, opts.onStoredBytes), { file: archive });
  const format = (f: ContainerFormat) => opts.onFormat?.(f);
  let decoded: ByteReader | undefined;
  try {
    const head = await raw.peek(SNIFF_BYTES);
    if (isGzip(head)) {
      const header = parseGzipHeader(await raw.peek(GZIP_HEADER_BYTES));
      decoded = new ByteReader(gunzip(raw.rest(), { file: archive, limits }), { file: archive });
      let inner: Uint8Array;
      try {
        inner = await decoded.peek(SNIFF_BYTES);
      } catch (err) {
        throw archiveError(err, { archive });
      }
      if (isTar(inner)) {
        format('tar.gz');
        yield* readTar(decoded, ctx);
        return;
      }
      format('gzip');
      const name = normalizeEntryName(header?.name ?? archive.replace(/\.gz$/i, ''));
      yield* single(ctx, name, decoded);
    } else if (isTar(head)) {
      format('tar');
      yield* readTar(raw, ctx);
    } else if (isZip(head)) {
      format('zip');
      yield* readZip(raw, ctx);
    } else {
      format('file');
      yield* single(ctx, normalizeEntryName(archive), raw);
    }
  } finally {
    // Stops the decompressor and the source when the consumer or the container stopped early.
    await decoded?.close();
    await raw.close();
  }
}

/** A lone (or lone gzipped) file: one entry of everything left. */
async function* single(ctx: ArchiveContext, name: string, reader: ByteReader): AsyncGenerator<ArchiveEntry> {
  countEntry(ctx);
  const body = new EntryBody(mapErrors(reader.rest(), { archive: ctx.archive, entry: name }), name);
  try {
    yield { name, body };
  } finally {
    body.detach(); // nothing follows: the rest is not read for nothing
  }
}

async function* mapErrors(source: AsyncGenerator<Uint8Array>, site: ErrorSite): AsyncGenerator<Uint8Array> {
  let done = 0;
  try {
    for await (const chunk of source) {
      done += chunk.length;
      yield chunk;
    }
  } catch (err) {
    throw archiveError(err, { ...site, entryOffset: done });
  }
}

/** Counts stored bytes: Limits.archiveBytes and progress. */
async function* counted(
  source: ByteSource,
  archive: string,
  limits: Limits,
  onStoredBytes: ((n: number) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  let n = 0;
  let reported = 0;
  for await (const chunk of source) {
    n += chunk.length;
    if (n > limits.archiveBytes) throw new LimitExceededError('archiveBytes', n, limits.archiveBytes, archive, limits.archiveBytes);
    if (onStoredBytes && n - reported >= PROGRESS_STEP_BYTES) onStoredBytes((reported = n));
    yield chunk;
  }
  if (onStoredBytes && n !== reported) onStoredBytes(n);
}
