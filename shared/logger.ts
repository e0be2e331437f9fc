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

/**
 * Secrets never reach a log line: the value of any field named like a credential (`authorization`,
 * `cookie`, `token`, `secret`, `password`, `x-api-key`, any case, at any depth) is replaced, and
 * anything shaped like an API key (`tlk_<id>_<secret>`) keeps its public id only — in the message too.
 */
export const REDACTED = '[redacted]';
const SECRET_FIELD = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|token|secret|password|.*[-_]?(secret|token|password)s?)$/i;
const API_KEY = /\btlk_([a-z2-9]{12})_[A-Za-z0-9_-]+/g;
/** Bearer credentials of any shape (a key pasted with a typo is still a secret). */
const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;

export function redactText(text: string): string {
  return text.replace(API_KEY, `tlk_$1_${REDACTED}`).replace(BEARER, `$1 ${REDACTED}`);
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return redactText(`${value.name}: ${value.message}`);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Headers) return redact(Object.fromEntries(value.entries()), depth);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) && v !== undefined ? REDACTED : redact(v, depth + 1);
  return out;
}

function redactFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return fields ? (redact(fields) as Record<string, unknown>) : undefined;
}

export function jsonLogger(write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const log = (level: Level) => (msg: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ level, time: new Date().toISOString(), msg: redactText(msg), ...redactFields(fields) }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export function textLogger(write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const log = (level: Level) => (msg: string, raw?: Record<string, unknown>) => {
    const fields = redactFields(raw);
    const extra = fields
      ? ' ' + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
      : '';
    write(`${level === 'info' ? '' : level.toUpperCase() + ' '}${redactText(msg)}${extra}`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
