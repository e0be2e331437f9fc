import type { AnalysisProgress } from '../model/report.js';

/**
 * Progress on stderr: a bar redrawn in place on a terminal; in CI logs, a plain line per 10% for inputs
 * big enough to wait on (over 64 MB), nothing for small ones.
 */
export function progressPrinter(stream: NodeJS.WriteStream) {
  const tty = Boolean(stream.isTTY);
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(p: AnalysisProgress) {
      const total = p.archiveBytes;
      const pct = total ? Math.min(100, (100 * p.archiveBytesRead) / total) : undefined;
      const what = `${mb(p.archiveBytesRead)}${total ? ` / ${mb(total)}` : ''}${p.currentEntry ? `  ${p.currentEntry}` : ''}`;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        const bar = pct === undefined ? '' : `[${'#'.repeat(Math.round(pct / 5)).padEnd(20, '.')}] ${pct.toFixed(0).padStart(3)}% `;
        stream.write(`\r\x1b[2Kanalyzing ${bar}${what}`);
        drawn = true;
      } else if (total && total > 64 * 1024 * 1024 && pct !== undefined) {
        const decile = Math.floor(pct / 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`analyzing ${(decile * 10).toString().padStart(3)}% ${what}\n`);
        }
      }
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Progress of a transfer (an upload) on stderr: on a terminal, one line redrawn in place with a bar,
 * the bytes, the percentage and the rate; otherwise (CI logs) a plain line each time another 10% is
 * done — at most eleven lines however big the transfer — e.g. `upload  40% 12.0/30.0 MB 8.1 MB/s`.
 */
export function transferProgress(stream: NodeJS.WriteStream, label: string, total: number, now: () => number = Date.now) {
  const tty = Boolean(stream.isTTY);
  const t0 = now();
  let done = 0;
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  const line = () => {
    const pct = total > 0 ? Math.min(100, (100 * done) / total) : 100;
    const secs = Math.max((now() - t0) / 1000, 0.001);
    return { pct, text: `${pct.toFixed(0).padStart(3)}% ${mbNumber(done)}/${mbNumber(total)} MB ${mbNumber(done / secs)} MB/s` };
  };
  const draw = (force: boolean) => {
    const { pct, text } = line();
    if (tty) {
      const t = now();
      if (!force && t - lastDraw < 100) return;
      lastDraw = t;
      stream.write(`\r\x1b[2K${label} [${'#'.repeat(Math.round(pct / 5)).padEnd(20, '.')}] ${text}`);
      drawn = true;
      return;
    }
    const decile = Math.floor(pct / 10);
    if (decile > lastDecile) {
      lastDecile = decile;
      stream.write(`${label} ${text}\n`);
    }
  };
  return {
    /** `n` more bytes sent (negative: a failed attempt's bytes, to be sent again). */
    add(n: number) {
      done = Math.max(0, done + n);
      if (n > 0) draw(false);
    },
    get bytes() {
      return done;
    },
    /** The transfer finished: the final state (100% in CI logs when not printed yet), and a newline on a terminal. */
    done() {
      done = Math.max(done, total);
      draw(true);
      if (tty && drawn) stream.write('\n');
    },
    /** The transfer was abandoned: end the redrawn line so what follows starts on its own. */
    abort() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}

/**
 * Where a server-side analysis is (`pending` → `running` with how far it has read → `complete`/`failed`):
 * on a terminal one redrawn line; otherwise a line per status change and per 10% of a running analysis.
 */
export function analysisStatusPrinter(stream: NodeJS.WriteStream) {
  const tty = Boolean(stream.isTTY);
  let last = '';
  let lastDecile = -1;
  let drawn = false;
  return {
    update(status: string, p?: AnalysisProgress) {
      const pct = p?.archiveBytes ? Math.min(100, (100 * p.archiveBytesRead) / p.archiveBytes) : undefined;
      const detail = p ? ` ${pct !== undefined ? `${pct.toFixed(0)}% ` : ''}${mb(p.archiveBytesRead)}${p.archiveBytes ? ` / ${mb(p.archiveBytes)}` : ''}${p.currentEntry ? `  ${p.currentEntry}` : ''}` : '';
      if (tty) {
        const text = `analysis ${status}${detail}`;
        if (text !== last) stream.write(`\r\x1b[2K${text}`);
        last = text;
        drawn = true;
        return;
      }
      const decile = pct === undefined ? -1 : Math.floor(pct / 10);
      if (status !== last || decile > lastDecile) {
        if (status !== last) lastDecile = -1;
        if (decile > lastDecile) lastDecile = decile;
        last = status;
        stream.write(`analysis ${status}${detail}\n`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

function mbNumber(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}
