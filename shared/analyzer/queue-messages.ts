/**
 * Decoding the analyzer's queue messages: an SQS message whose body is an S3 event notification
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 * Example body (trimmed):
 *   {"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
 *     "s3":{"bucket":{"name":"tracelens-archives"},"object":{"key":"archives/local/01J..../archive","size":365899,"eTag":"9b2c..."}}}]}
 * S3 also sends `{"Service":"Amazon S3","Event":"s3:TestEvent",...}` once when a notification is set up.
 * Re-analyses (POST /v1/analyses/{id}/reanalyze) travel the same queue as
 *   {"TraceLens":"reanalyze","tenant":"local","id":"01J...","generation":2}
 */
export interface QueueMessage {
  messageId: string;
  body: string;
}

export interface ObjectCreated {
  bucket: string;
  /** Decoded key (S3 URL-encodes keys in events, with `+` for spaces). */
  key: string;
  size?: number;
  etag?: string;
  eventName: string;
}

export class InvalidMessageError extends Error {
  constructor(messageId: string, reason: string) {
    super(`message ${messageId}: ${reason}`);
    this.name = 'InvalidMessageError';
  }
}

export interface Reanalysis {
  tenant: string;
  id: string;
  generation: number;
}

export type Job = ({ kind: 'object' } & ObjectCreated) | ({ kind: 'reanalyze' } & Reanalysis);

export function reanalysisMessage(job: Reanalysis): string {
  return JSON.stringify({ TraceLens: 'reanalyze', tenant: job.tenant, id: job.id, generation: job.generation });
}

/** The work a message carries: created objects, or one re-analysis. */
export function jobsOf(message: QueueMessage): Job[] {
  const body = parseBody(message);
  const b = body as { TraceLens?: string; tenant?: unknown; id?: unknown; generation?: unknown };
  if (b?.TraceLens === 'reanalyze') {
    if (typeof b.tenant !== 'string' || typeof b.id !== 'string' || !Number.isSafeInteger(b.generation)) {
      throw new InvalidMessageError(message.messageId, 'reanalyze message without tenant, id and generation');
    }
    return [{ kind: 'reanalyze', tenant: b.tenant, id: b.id, generation: b.generation as number }];
  }
  return objectsCreated(message).map((o) => ({ kind: 'object' as const, ...o }));
}

function parseBody(message: QueueMessage): unknown {
  try {
    return JSON.parse(message.body);
  } catch {
    throw new InvalidMessageError(message.messageId, 'body is not JSON');
  }
}

export function objectsCreated(message: QueueMessage): ObjectCreated[] {
  const body = parseBody(message);
  const b = body as { Event?: string; Records?: unknown };
  if (b?.Event === 's3:TestEvent') return [];
  if (!Array.isArray(b?.Records)) throw new InvalidMessageError(message.messageId, 'body has no Records[]');
  const out: ObjectCreated[] = [];
  for (const r of b.Records as Array<Record<string, any>>) {
    const eventName = String(r?.eventName ?? '');
    if (r?.eventSource !== 'aws:s3' || !eventName.startsWith('ObjectCreated:')) continue;
    const bucket = r.s3?.bucket?.name;
    const key = r.s3?.object?.key;
    if (typeof bucket !== 'string' || typeof key !== 'string') {
      throw new InvalidMessageError(message.messageId, 'S3 record without bucket name or object key');
    }
    const o: ObjectCreated = { bucket, key: decodeEventKey(key), eventName };
    if (typeof r.s3.object.size === 'number') o.size = r.s3.object.size;
    if (typeof r.s3.object.eTag === 'string') o.etag = r.s3.object.eTag;
    out.push(o);
  }
  return out;
}

/** `archives/my+repo/x%3Ay/archive` → `archives/my repo/x:y/archive` */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** The inverse, as S3 writes keys into events. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}
