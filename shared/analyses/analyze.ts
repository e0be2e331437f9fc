import { LimitExceededError, MalformedInputError, TraceLensError } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { emptyResult, type AnalysisProgress, type AnalysisResult, type InputKind, type InputSummary } from '../model/report.js';
import { readArchive, type ArchiveEntry, type ContainerFormat } from '../parsers/archive/index.js';
import { ByteReader, type ByteSource } from '../parsers/bytes.js';
import { DETECT_HEAD_BYTES, detectKind } from '../parsers/detect.js';
import { gunzip, isGzip, RATIO_GRACE_BYTES } from '../parsers/gzip.js';
import { emptyArtifacts, type Artifacts, type Collector } from './collector.js';
import { analysisStepFailed, errorName, unreadableInput, unrecognizedInput } from './data-quality.js';
import { joinEscapes } from './escape/join.js';
import { gcFindings } from './gc/findings.js';
import { joinGc } from './gc/join.js';
import { GcTraceCollector } from './gctrace-collector.js';
import { GoEscapeCollector } from './go-escape-collector.js';
import { PerfScriptCollector } from './perf/perf-script-collector.js';
import { ManifestCollector } from './manifest-collector.js';
import { PprofCollector } from './pprof-collector.js';
import { SchedLatencyCollector } from './sched-collector.js';

/** One thing to analyse: an archive, or a loose file (which readArchive treats as a one-entry archive). */
export interface AnalysisSource {
  name: string;
  body: ByteSource;
  /** Stored size when known (for progress). */
  bytes?: number;
}

export interface AnalyzeOptions {
  limits?: Limits;
  onProgress?: (p: AnalysisProgress) => void;
}

export interface AnalysisOutcome {
  result: AnalysisResult;
  artifacts: Artifacts;
  /**
   * Set when the analysis could not finish: a broken container (truncated archive) or a limit on the
   * whole analysis. `result` then holds what was read before it (a partial report).
   */
  error?: TraceLensError;
}

/**
 * Reads every entry of every source, detects its kind from content (SPEC §1) and records it in
 * `inputs[]`. A bad entry is recorded with its error and the others go on; a broken archive ends the
 * analysis with `error` set. Each kind's parser runs in its Collector (createCollectors); the joins
 * across kinds run once every input is read (finish).
 */
export async function analyze(sources: AnalysisSource[], opts: AnalyzeOptions = {}): Promise<AnalysisOutcome> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const budget = new Budget(limits);
  const result = emptyResult();
  const artifacts = emptyArtifacts();
  const collectors = createCollectors(limits);
  const totalBytes = sources.every((s) => s.bytes !== undefined)
    ? sources.reduce((n, s) => n + (s.bytes ?? 0), 0)
    : undefined;
  const progress: AnalysisProgress = { archiveBytesRead: 0, entriesRead: 0 };
  if (totalBytes !== undefined) progress.archiveBytes = totalBytes;
  let doneBefore = 0;

  for (const source of sources) {
    // Errors raised while pulling bytes out of the container (not out of an entry's own gzip) end the analysis.
    const containerErrors = new WeakSet<object>();
    let format: ContainerFormat | undefined;
    const entries = readArchive(budget.timed(source.body, source.name), {
      name: source.name,
      limits,
      onFormat: (f) => (format = f),
      onStoredBytes: (n) => {
        progress.archiveBytesRead = doneBefore + n;
        opts.onProgress?.({ ...progress });
      },
    });
    try {
      for await (const entry of entries) {
        // A loose file (gzipped or not) is its own entry and keeps its own name; archive entries are
        // prefixed with the archive's name when several sources are analysed together.
        const loose = format === 'file' || format === 'gzip';
        const name = loose ? source.name : sources.length > 1 ? `${source.name}/${entry.name}` : entry.name;
        progress.currentEntry = name;
        opts.onProgress?.({ ...progress });
        const input = await readEntry(
          { ...entry, name, body: watch(entry.body, containerErrors) },
          collectors,
          limits,
          containerErrors,
          budget,
        );
        if (format === 'gzip') {
          input.encoding = 'gzip';
          if (source.bytes !== undefined) input.storedBytes = source.bytes;
        }
        result.inputs.push(input);
        if (input.error) result.dataQuality.push(unreadableInput(input.name, input.error));
        else if (input.kind === 'unknown') result.dataQuality.push(unrecognizedInput(input.name));
        progress.entriesRead++;
      }
    } catch (err) {
      if (err instanceof MalformedInputError || err instanceof LimitExceededError) {
        finish(collectors, result, artifacts);
        return { result, artifacts, error: err };
      }
      throw err;
    }
    doneBefore += source.bytes ?? 0;
  }
  delete progress.currentEntry;
  opts.onProgress?.({ ...progress, archiveBytesRead: totalBytes ?? progress.archiveBytesRead });
  finish(collectors, result, artifacts);
  return { result, artifacts };
}

interface Collectors extends Partial<Record<InputKind, Collector>> {
  'perf-script': PerfScriptCollector;
  pprof: PprofCollector;
  'go-escape': GoEscapeCollector;
  gctrace: GcTraceCollector;
  'perf-sched-latency': SchedLatencyCollector;
  manifest: ManifestCollector;
}

function createCollectors(limits: Limits): Collectors {
  return {
    'perf-script': new PerfScriptCollector(limits),
    pprof: new PprofCollector(limits),
    'go-escape': new GoEscapeCollector(limits),
    gctrace: new GcTraceCollector(limits),
    'perf-sched-latency': new SchedLatencyCollector(limits),
    manifest: new ManifestCollector(),
  };
}

/**
 * Each kind's own results, then the joins across kinds (escape sites × profiles × perf stacks). A step
 * that fails (a bug, not bad input) is named in the report and the other steps still run.
 */
function finish(collectors: Collectors, result: AnalysisResult, artifacts: Artifacts): void {
  for (const [kind, c] of Object.entries(collectors)) step(result, `${kind} summary`, () => c?.finish(result, artifacts));
  const perf = collectors['perf-script'];
  step(result, 'escape-site', () => {
    const perfCpu = perf.cpuStacks();
    joinEscapes(
      {
        diagnostics: collectors['go-escape'].diagnostics,
        pprof: collectors.pprof,
        perfFunctions: perf.functionNames(),
        ...(perfCpu ? { perfCpu } : {}),
      },
      result,
    );
  });
  step(result, 'GC-latency', () => joinGc(result, perf, collectors.manifest.manifest, artifacts));
  step(result, 'GC findings', () => result.findings.push(...gcFindings(result, collectors.gctrace.gcCpuShare, perf.markAssists())));
}

function step(result: AnalysisResult, name: string, run: () => void): void {
  try {
    run();
  } catch (err) {
    result.dataQuality.push(analysisStepFailed(name, err));
  }
}

async function readEntry(
  entry: ArchiveEntry,
  collectors: Collectors,
  limits: Limits,
  containerErrors: WeakSet<object>,
  budget: Budget,
): Promise<InputSummary> {
  const input: InputSummary = { name: entry.name, kind: 'unknown', bytes: 0, warnings: [] };
  try {
    const stored = new ByteReader(entry.body);
    let decoded: ByteSource;
    if (isGzip(await stored.peek(3))) {
      input.encoding = 'gzip';
      decoded = gunzip(counted(stored.rest(), (n) => (input.storedBytes = n)), { file: entry.name, limits });
    } else decoded = stored.rest();

    const reader = new ByteReader(decoded);
    const head = await reader.peek(DETECT_HEAD_BYTES);
    input.kind = detectKind(head, { name: entry.name, eof: head.length < DETECT_HEAD_BYTES }) ?? 'unknown';
    if (input.kind === 'unknown') input.warnings.push('content not recognized as a supported input kind; skipped');
    const body = counted(reader.rest(), (n, chunk) => {
      input.bytes = n;
      // Limits on the whole analysis end it (not just this input): they are container errors.
      const err = budget.spend(chunk, entry.name, n);
      if (err) {
        containerErrors.add(err);
        throw err;
      }
    });
    const collector = collectors[input.kind];
    if (collector) await collector.consume(body, input);
    else await drain(body);
    return input;
  } catch (err) {
    if (typeof err === 'object' && err !== null && containerErrors.has(err)) throw err;
    if (err instanceof MalformedInputError) input.error = err.message;
    else if (err instanceof TraceLensError) input.error = err.message.startsWith(entry.name) ? err.message : `${entry.name}: ${err.message}`;
    // A bug of ours on this input: the input is skipped and named, the others are still analysed.
    else input.error = `${entry.name}: internal error while reading this ${input.kind} input (${errorName(err)}); it was skipped`;
    return input;
  }
}

/** Passes chunks through, remembering errors the container raised so readEntry can tell them apart. */
async function* watch(source: ByteSource, seen: WeakSet<object>): ByteSource {
  try {
    yield* source;
  } catch (err) {
    if (typeof err === 'object' && err !== null) seen.add(err);
    throw err;
  }
}

async function drain(source: ByteSource): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  while (!(await it.next()).done);
}

async function* counted(source: ByteSource, report: (n: number, chunk: number) => void): ByteSource {
  let n = 0;
  for await (const chunk of source) {
    n += chunk.byteLength;
    report(n, chunk.byteLength);
    yield chunk;
  }
}

/**
 * The limits on a whole analysis: its time (analysisSeconds, from the start of analyze), the decoded
 * bytes of all its inputs together (decodedBytes; each gzip stream is also held to it alone), and
 * their ratio to the stored bytes read (compressionRatio: gzip in gzip multiplies ratios that each
 * pass alone).
 */
class Budget {
  private readonly deadline: number;
  private readonly started = Date.now();
  private decoded = 0;
  private stored = 0;
  private archive = '';

  constructor(private readonly limits: Limits) {
    this.deadline = this.started + limits.analysisSeconds * 1000;
  }

  /** The error for the time limit, naming where the analysis was. */
  private late(where: string, offset?: number): LimitExceededError {
    const seconds = Math.round((Date.now() - this.started) / 100) / 10;
    return new LimitExceededError('analysisSeconds', seconds, this.limits.analysisSeconds, where, offset);
  }

  /** Counts `bytes` decoded from `file` (now at `offset`); the error when a limit on the analysis is past. */
  spend(bytes: number, file: string, offset: number): LimitExceededError | undefined {
    this.decoded += bytes;
    if (this.decoded > this.limits.decodedBytes) {
      return new LimitExceededError('decodedBytes', this.decoded, this.limits.decodedBytes, file, offset);
    }
    if (this.decoded > RATIO_GRACE_BYTES && this.decoded > this.limits.compressionRatio * this.stored) {
      const ratio = Math.floor(this.decoded / Math.max(this.stored, 1));
      return new LimitExceededError('compressionRatio', ratio, this.limits.compressionRatio, `${this.archive} (over all its entries, now in ${file})`, this.stored);
    }
    return Date.now() > this.deadline ? this.late(file, offset) : undefined;
  }

  /**
   * The archive's bytes, each read raced against the deadline: a source that stalls, or an archive
   * whose container takes long to read, ends the analysis at the limit too.
   */
  async *timed(source: ByteSource, name: string): ByteSource {
    const it = source[Symbol.asyncIterator]();
    this.archive = name;
    let offset = 0;
    let timer: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        const left = this.deadline - Date.now();
        if (left < 0) throw this.late(name, offset);
        const expired = new Promise<'late'>((resolve) => {
          // Unref'd: a deadline must not keep a process alive on its own (a test, a CLI run whose
          // source stalled with nothing else pending).
          timer = setTimeout(() => resolve('late'), Math.min(left + 1, 2 ** 31 - 1)).unref();
        });
        const r = await Promise.race([it.next(), expired]);
        clearTimeout(timer);
        if (r === 'late') throw this.late(name, offset);
        if (r.done) return;
        offset += r.value.byteLength;
        this.stored += r.value.byteLength;
        yield r.value;
      }
    } finally {
      clearTimeout(timer);
      await Promise.race([it.return?.(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
  }
}
