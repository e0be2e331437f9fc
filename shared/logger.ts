/**
 * Structured logging: one JSON object a line (CloudWatch-friendly on Lambda), or a short text line for
 * people at a terminal. Injected everywhere; nothing else writes to the console.
 */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const log = (level: Level) => (msg: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export function textLogger(write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const log = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    const extra = fields
      ? ' ' + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
      : '';
    write(`${level === 'info' ? '' : level.toUpperCase() + ' '}${msg}${extra}`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
