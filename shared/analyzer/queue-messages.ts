/**
 * Decoding the analyzer's queue messages: an SQS message whose body is an S3 event notification
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 * Example body (trimmed):
 *   {"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
 *     "s3":{"bucket":{"name":"tracelens-archives"},"object":{"key":"archives/local/01J..../archive","size":365899,"eTag":"9b2c..."}}}]}
 * S3 also sends `{"Service":"Amazon S3","Event":"s3:TestEvent",...}` once when a notification is set up.
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

export function objectsCreated(message: QueueMessage): ObjectCreated[] {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    throw new InvalidMessageError(message.messageId, 'body is not JSON');
  }
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
