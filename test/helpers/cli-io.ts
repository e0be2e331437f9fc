import { PassThrough } from 'node:stream';
import type { CliIo } from '../../shared/cli/io.js';

/** A writable that keeps what is written (`text()`), TTY or not, for CLI tests. */
export function capturedStream(tty = false): NodeJS.WriteStream & { text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text: () => string };
  let out = '';
  (s as unknown as PassThrough).on('data', (c) => (out += c));
  Object.assign(s, { isTTY: tty, text: () => out });
  return s;
}

/** CliIo whose stdout and stderr are captured (neither a TTY). */
export function capturedIo(): CliIo & { out: () => string; err: () => string } {
  const stdout = capturedStream();
  const stderr = capturedStream();
  return { stdout, stderr, out: () => stdout.text(), err: () => stderr.text() };
}
