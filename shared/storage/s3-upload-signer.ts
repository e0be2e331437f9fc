import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { TraceLensError } from '../errors.js';
import type { UploadSigner } from './ports.js';

/**
 * Presigned uploads to the archive bucket, signed with the API's own credentials (SigV4 query auth).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
 * The PUT signs `content-length` (SignedHeaders=content-length;host), so S3 refuses any other size;
 * the POST policy carries a content-length-range; part URLs sign their part's exact length. The
 * emulator checks none of these, so the analyzer re-checks the stored size (run-analysis.ts).
 */
export class S3UploadSigner implements UploadSigner {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async presignPut(key: string, bytes: number, expiresInS: number) {
    const url = await getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: bytes }), {
      expiresIn: expiresInS,
      signableHeaders: new Set(['content-length']),
    });
    return { url, headers: { 'content-length': String(bytes) } };
  }

  async presignPost(key: string, maxBytes: number, expiresInS: number) {
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [['content-length-range', 1, maxBytes]],
      Expires: expiresInS,
    });
    return { url, fields };
  }

  async startMultipart(key: string) {
    const created = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    if (!created.UploadId) throw new TraceLensError('internal', 'S3 returned no UploadId');
    return created.UploadId;
  }

  async presignParts(key: string, uploadId: string, bytes: number, partSize: number, expiresInS: number) {
    const count = Math.ceil(bytes / partSize);
    const parts: Array<{ partNumber: number; url: string }> = [];
    for (let n = 1; n <= count; n++) {
      const length = n < count ? partSize : bytes - partSize * (count - 1);
      const url = await getSignedUrl(
        this.s3,
        new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: n, ContentLength: length }),
        { expiresIn: expiresInS, signableHeaders: new Set(['content-length']) },
      );
      parts.push({ partNumber: n, url });
    }
    return parts;
  }

  async completeMultipart(key: string, uploadId: string, parts: Array<{ partNumber: number; etag: string }>) {
    try {
      const out = await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
      return out.ETag ? { etag: out.ETag } : {};
    } catch (err) {
      const e = err as { name?: string; message?: string };
      if (e.name === 'InvalidPart' || e.name === 'InvalidPartOrder' || e.name === 'NoSuchUpload' || e.name === 'EntityTooSmall') {
        throw new TraceLensError('invalid_request', `S3 refused to complete the upload: ${e.name}: ${e.message ?? ''}`.trim(), {
          s3Error: e.name,
        });
      }
      throw err;
    }
  }

  async abortMultipart(key: string, uploadId: string) {
    await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
  }
}
