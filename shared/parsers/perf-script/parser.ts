/**
 * The streaming `perf script` parser: bytes in (chunks of any size), records out to a sink, in input
 * order, synchronously. Format source: tools/perf/builtin-script.c
 * (https://github.com/torvalds/linux/blob/master/tools/perf/builtin-script.c) and
 * tools/perf/util/evsel_fprintf.c; the per-line decoders quote the lines they read:
 *   sample-header.ts  `mapstress  6341   528.254236:     250000             task-clock:`
 *   frame-line.ts     `\tffffffff82256067 clear_page_erms+0x7 ([kernel.kallsyms])`
 *   task-events.ts    `mapstress  6341   528.253990: PERF_RECORD_COMM exec: mapstress:6341/6341`
 *   header-block.ts   `# ========` ... `# ========`
 *   tracepoints.ts    `cmd: 0x00000000, uattr: 0xc0000666b8, size: 0x00000048`
 *   perf-warnings.ts  `Processed 25098 samples and lost 32.92%!`
 *
 * How lines are told apart (the first character decides what is tried first):
 * - empty or blank: ends the sample;
 * - tab: a frame of the open sample (modern perf indents every frame with one); else as below;
 * - `#`: the `# ========` header block, or a comment;
 * - space: a srcline (`  work.cpp:34`) under a frame; a header line (right-aligned comm, `%16s`);
 *   a frame (perf 3.x indented frames with spaces);
 * - anything else: a header line (a sample or a PERF_RECORD_* task record), perf's own warning, a frame
 *   printed without indent (seen in the wild under a sample), or a warning "unparseable".
 * A sample ends at an empty line, the next header line, or the end of the input; only then is its
 * header-line frame (no call graph) split from its payload and the payload parsed.
 */
import { DEFAULT_LIMITS } from '../../limits.js';
import type { PerfFrame, PerfSample, PerfScriptSink, PerfTaskEvent, PerfWarning } from '../../model/perf.js';
import { applySrcline, looksLikeSrcline, parseFrameLine, splitHeaderLineFrame } from './frame-line.js';
import { HeaderBlock } from './header-block.js';
import { parsePerfWarning } from './perf-warnings.js';
import { isBlank, isTracepointEvent, SPACE, TAB } from './header-fields.js';
import { HeaderParser, type SampleHeader } from './sample-header.js';
import { parseTaskRecord } from './task-events.js';
import { lineTooLong, TextChunker } from './text-chunks.js';
import { parseTracepoint } from './tracepoints.js';

export interface PerfScriptOptions {
  /** Name of the input (archive entry), for errors. */
  file: string;
  /** Longest line accepted, in bytes; longer lines become a warning and are skipped. Default DEFAULT_LIMITS.lineBytes (16 MiB). */
  maxLineBytes?: number;
  /**
   * Most frames kept per sample (Limits.stackDepth): the leaf-most; the others are counted in
   * PerfSample.droppedFrames, so a sample thousands of frames deep holds bounded memory. Default: all.
   */
  maxFrames?: number;
}

export interface PerfScriptStats {
  /** Bytes pushed. */
  bytes: number;
  /** Lines seen, the last one even without a line break. */
  lines: number;
  samples: number;
  taskEvents: number;
  /** Warnings given to the sink: perf's own and lines that could not be read. */
  warnings: number;
}

const CR = 0x0d;
const HASH = 0x23;
const LF = '\n';
const HEADER_BAR = '# ========';
/** Characters of an unreadable line quoted in its warning. */
const QUOTE_CHARS = 120;

/** Push parser: feed chunks of any size; records go to the sink synchronously, in input order. */
export class PerfScriptParser {
  private readonly sink: PerfScriptSink;
  private readonly file: string;
  private readonly maxLineBytes: number;
  private readonly maxFrames: number;
  private readonly chunker: TextChunker;
  private readonly headers = new HeaderParser();
  private bytes = 0;
  private lines = 0;
  private samples = 0;
  private taskEvents = 0;
  private warnings = 0;
  private ended = false;
  /** The sample whose stack is being read. */
  private cur: PerfSample | undefined;
  /** Its text after `event:`: payload, and its frame when no call graph follows. */
  private curRest = '';
  /** The srcline under a header line whose frame is on the header line (`-F +srcline`, no call graph). */
  private curSrcline: { s: string; a: number; b: number } | undefined;
  /** The frame a srcline line would belong to. */
  private lastFrame: PerfFrame | undefined;
  /** Inside the `# ========` block. */
  private block: HeaderBlock | undefined;

  constructor(sink: PerfScriptSink, opts: PerfScriptOptions) {
    this.sink = sink;
    this.file = opts.file;
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_LIMITS.lineBytes;
    this.maxFrames = opts.maxFrames ?? Number.POSITIVE_INFINITY;
    if (!(this.maxLineBytes >= 1)) throw new RangeError(`maxLineBytes must be at least 1, got ${this.maxLineBytes}`);
    this.chunker = new TextChunker({ text: (t) => this.scan(t), tooLong: () => this.skippedLongLine() }, this.maxLineBytes);
  }

  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error(`${this.file}: PerfScriptParser.push after end()`);
    this.bytes += chunk.length;
    this.chunker.push(chunk);
  }

  /** Flushes the last line and the open sample (or header block); returns the counts. Idempotent. */
  end(): PerfScriptStats {
    if (!this.ended) {
      this.ended = true;
      this.chunker.end();
      if (this.block !== undefined) this.endBlock();
      this.close('eof');
    }
    return { bytes: this.bytes, lines: this.lines, samples: this.samples, taskEvents: this.taskEvents, warnings: this.warnings };
  }

  /** Whole lines of decoded text (see TextChunker). */
  private scan(text: string): void {
    const n = text.length;
    const max = this.maxLineBytes;
    const maxSafe = max / 3; // shorter lines cannot pass `max` bytes of UTF-8
    let p = 0;
    while (p < n) {
      let nl = text.indexOf(LF, p);
      if (nl < 0) nl = n;
      this.lines++;
      if (nl - p > maxSafe && lineTooLong(text, p, nl, max)) {
        this.tooLong();
      } else {
        let e = nl;
        if (e > p && text.charCodeAt(e - 1) === CR) e--;
        this.line(text, p, e);
      }
      p = nl + 1;
    }
  }

  private line(s: string, a: number, b: number): void {
    if (a === b) {
      this.close(undefined);
      return;
    }
    const c = s.charCodeAt(a);
    if (c === TAB && this.cur !== undefined) {
      // The hot path: `\t    7f12 sym+0x1c (dso)`.
      if (this.frame(this.cur, s, a, b)) return;
    }
    if (c === HASH) {
      this.comment(s, a, b);
      return;
    }
    if (this.block !== undefined) this.endBlock();
    this.other(s, a, b, c);
  }

  private other(s: string, a: number, b: number, c: number): void {
    const indented = isBlank(c);
    if (indented) {
      let i = a;
      while (i < b && isBlank(s.charCodeAt(i))) i++;
      if (i === b) {
        this.close(undefined);
        return;
      }
    }
    const cur = this.cur;
    if (cur !== undefined && c === SPACE && looksLikeSrcline(s, a, b) && parseFrameLine(s, a, b, true) === undefined) {
      if (this.lastFrame !== undefined) {
        if (this.lastFrame.srcline === undefined) {
          applySrcline(this.lastFrame, s, a, b);
          return;
        }
      } else if (cur.frames.length === 0 && this.curRest !== '' && this.curSrcline === undefined) {
        this.curSrcline = { s, a, b };
        return;
      }
    }
    const h = this.headers.parse(s, a, b);
    if (h !== undefined) {
      this.record(h, s, a, b);
      return;
    }
    if (cur !== undefined && c === SPACE) {
      // perf 3.x: `            13a80b608e0a RegExp:[&<>\"\'] (/tmp/perf-7539.map)`
      if (this.frame(cur, s, a, b)) return;
    }
    const text = s.slice(a, b);
    const pw = guard(() => parsePerfWarning(text));
    if (pw !== undefined) {
      if (pw.info !== true) this.perfWarning(pw.message, pw.lost);
      return;
    }
    if (cur !== undefined && !indented) {
      // Frames without indent: `ffffffff8103d0ca native_write_msr_safe ([kernel.kallsyms])`
      if (this.frame(cur, s, a, b)) return;
    }
    const what =
      cur !== undefined && indented
        ? 'unparseable stack line'
        : cur === undefined && indented && parseFrameLine(s, a, b) !== undefined
          ? 'stack line without a sample header line'
          : 'unparseable line';
    this.warn({ line: this.lines, message: `${what}: ${quote(text)}` });
  }

  /** When the line is a frame: adds it to `cur` (it is also the frame a srcline line would belong to). */
  private frame(cur: PerfSample, s: string, a: number, b: number): boolean {
    const f = parseFrameLine(s, a, b);
    if (f === undefined) return false;
    this.addFrame(cur, f);
    this.lastFrame = f;
    return true;
  }

  /** Stack lines come leaf first: past maxFrames, the rest (toward the root) are only counted. */
  private addFrame(s: PerfSample, f: PerfFrame): void {
    if (s.frames.length < this.maxFrames) s.frames.push(f);
    else s.droppedFrames = (s.droppedFrames ?? 0) + 1;
  }

  /** A header line: a new sample, or a PERF_RECORD_* task record. */
  private record(h: SampleHeader, s: string, a: number, b: number): void {
    this.close('next');
    const line = this.lines;
    if (h.record !== undefined) {
      this.task(h, s.slice(a, b));
      return;
    }
    const sample: PerfSample = { kind: 'sample', line, comm: h.comm, tid: h.tid, event: h.event, payload: '', frames: [] };
    if (h.pid !== undefined) sample.pid = h.pid;
    if (h.cpu !== undefined) sample.cpu = h.cpu;
    if (h.timeNs !== undefined) sample.timeNs = h.timeNs;
    if (h.period !== undefined) sample.period = h.period;
    this.cur = sample;
    this.curRest = h.rest;
  }

  private task(h: SampleHeader, text: string): void {
    const record = h.record!;
    const t: PerfTaskEvent = { kind: 'task', line: this.lines, record, comm: h.comm, tid: h.tid, detail: h.rest };
    if (h.pid !== undefined) t.pid = h.pid;
    if (h.cpu !== undefined) t.cpu = h.cpu;
    if (h.timeNs !== undefined) t.timeNs = h.timeNs;
    const more = guard(() => parseTaskRecord(record, h.rest));
    if (more !== undefined) {
      for (const [k, v] of Object.entries(more)) if (v !== undefined && !(k in t)) (t as unknown as Record<string, unknown>)[k] = v;
    }
    this.taskEvents++;
    this.sink.task?.(t);
    if (record.startsWith('LOST')) {
      // `work 22944  4809.623982: PERF_RECORD_LOST lost 2` (--show-lost-events): data lost while recording.
      const pw = guard(() => parsePerfWarning(text));
      const m = /lost (\d+)/.exec(h.rest);
      this.perfWarning(pw?.message ?? text.trim(), pw?.lost ?? (m ? Number(m[1]) : undefined));
    }
  }

  /** Ends the open sample and gives it to the sink. `unclosed`: why, when not an empty line. */
  private close(unclosed: 'eof' | 'next' | undefined): void {
    const s = this.cur;
    if (s === undefined) return;
    this.cur = undefined;
    this.lastFrame = undefined;
    let rest = this.curRest;
    this.curRest = '';
    // Whether the ip is out of the payload: it is on stack lines, or split off here.
    let ipApart = s.frames.length > 0;
    if (!ipApart && rest !== '') {
      const split = splitHeaderLineFrame(rest);
      if (split !== undefined) {
        const src = this.curSrcline;
        if (src !== undefined) applySrcline(split.frame, src.s, src.a, src.b);
        s.frames.push(split.frame);
        rest = split.payload;
        ipApart = true;
      }
    }
    this.curSrcline = undefined;
    s.payload = rest;
    if (rest !== '' || isTracepointEvent(s.event)) {
      const tp = parseTracepoint(s.event, rest, { callchain: ipApart });
      if (tp !== undefined) s.tracepoint = tp;
    }
    if (unclosed !== undefined) s.unclosed = unclosed;
    this.samples++;
    this.sink.sample?.(s);
  }

  private comment(s: string, a: number, b: number): void {
    const bar = s.startsWith(HEADER_BAR, a);
    if (this.block === undefined) {
      if (!bar) return; // `#` lines outside the block carry nothing
      this.block = new HeaderBlock();
      this.feedBlock(s.slice(a, b));
      return;
    }
    this.feedBlock(s.slice(a, b));
    if (bar) this.endBlock();
  }

  private feedBlock(text: string): void {
    const block = this.block!;
    guard(() => block.line(text));
  }

  private endBlock(): void {
    const block = this.block!;
    this.block = undefined;
    const header = guard(() => block.result());
    if (header !== undefined) this.sink.header?.(header);
  }

  private tooLong(): void {
    this.warn({ line: this.lines, message: `line longer than the limit of ${this.maxLineBytes} bytes; skipped` });
  }

  /** TextChunker dropped a line that passed the limit while it spanned chunks. */
  private skippedLongLine(): void {
    this.lines++;
    this.tooLong();
  }

  private perfWarning(message: string, lost: number | undefined): void {
    const w: PerfWarning = { line: this.lines, message, fromPerf: true };
    if (lost !== undefined) w.lost = lost;
    this.warn(w);
  }

  private warn(w: PerfWarning): void {
    this.warnings++;
    this.sink.warning?.(w);
  }
}

/** Calls into the per-record decoders never turn a bad line into an exception. */
function guard<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function quote(text: string): string {
  const t = text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
  return JSON.stringify(t);
}
