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
