import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { TraceLensError } from '../errors.js';
import type { ArchiveStore, ReportBodyStore, StoredArchive } from './ports.js';

/** Archives and large report bodies in one S3 bucket (SPEC §8). */
export class S3Store implements ArchiveStore, ReportBodyStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putArchive(key: string, body: Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }),
    );
  }

  async openArchive(key: string): Promise<StoredArchive> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new TraceLensError('not_found', `archive ${key} has no body`);
      const archive: StoredArchive = { body: out.Body as Readable, bytes: out.ContentLength ?? 0 };
      if (out.ETag) archive.etag = out.ETag;
      return archive;
    } catch (err) {
      if (isNotFound(err)) throw new TraceLensError('not_found', `archive ${key} does not exist`, undefined, { cause: err });
      throw err;
    }
  }

  async hasArchive(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async headArchive(key: string): Promise<{ bytes: number; etag?: string } | undefined> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { bytes: out.ContentLength ?? 0, ...(out.ETag ? { etag: out.ETag } : {}) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async putReportBody(key: string, json: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: json, ContentType: 'application/json' }),
    );
  }

  async getReportBody(key: string): Promise<string> {
    return this.getText(key);
  }

  async putArtifact(key: string, text: string, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: text, ContentType: contentType }));
  }

  async getArtifact(key: string): Promise<string> {
    return this.getText(key);
  }

  private async getText(key: string): Promise<string> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new TraceLensError('internal', `object ${key} has no body`);
      return await out.Body.transformToString('utf-8');
    } catch (err) {
      if (isNotFound(err)) throw new TraceLensError('not_found', `${key} does not exist`, undefined, { cause: err });
      throw err;
    }
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
