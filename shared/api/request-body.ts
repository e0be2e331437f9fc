import type { z } from 'zod';
import { TraceLensError } from '../errors.js';

/** JSON request bodies are small documents (upload requests, part lists, pins, gates, share options). */
export const JSON_BODY_MAX_CHARS = 2 * 1024 * 1024;

/** The request body as JSON; `invalid_request` when it is not JSON, `too_large` past JSON_BODY_MAX_CHARS. */
export async function jsonBody(req: Request, opts: { emptyAs?: unknown } = {}): Promise<unknown> {
  const text = await req.text();
  if (text.length > JSON_BODY_MAX_CHARS) throw new TraceLensError('too_large', 'the JSON body is over 2 MiB');
  if (opts.emptyAs !== undefined && text.trim() === '') return opts.emptyAs;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TraceLensError('invalid_request', 'the request body is not JSON', undefined, { cause: err });
  }
}

/** `value` checked against `schema`; `invalid_request` naming each issue's path (`body` for the root). */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new TraceLensError('invalid_request', issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '), { issues });
}
