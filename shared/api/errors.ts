import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { TraceLensError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** SPEC §5 error body. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function errorResponse(c: Context, err: TraceLensError): Response {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err.details) body.error.details = err.details;
  return c.json(body, err.status as ContentfulStatusCode);
}

/** The one place errors become responses: typed errors keep their status; nothing else leaks. */
export function onError(log: Logger) {
  return (err: Error, c: Context): Response => {
    if (err instanceof TraceLensError) return errorResponse(c, err);
    if (err instanceof HTTPException) {
      const code: ErrorCode = err.status === 413 ? 'too_large' : err.status === 404 ? 'not_found' : 'invalid_request';
      return errorResponse(c, new TraceLensError(code, err.message || 'invalid request'));
    }
    const requestId = c.get('requestId') as string | undefined;
    log.error('unhandled error', { requestId, error: `${err.name}: ${err.message}`, stack: err.stack });
    return errorResponse(c, new TraceLensError('internal', 'internal error', requestId ? { requestId } : undefined));
  };
}

export function notFound(c: Context): Response {
  return errorResponse(c, new TraceLensError('not_found', `no route ${c.req.method} ${new URL(c.req.url).pathname}`));
}
