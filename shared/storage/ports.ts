import type { ByteSource } from '../parsers/bytes.js';
import type { AnalysisMeta, AnalysisProgress, AnalysisResult, AnalysisStatus } from '../model/report.js';

/**
 * The ports the API and the analyzer depend on. Adapters (S3, DynamoDB) implement them and take
 * their SDK clients in the constructor; tests inject clients pointed at the embedded emulators.
 */

/** One analysis as stored: its metadata, its lifecycle and, once done, its result. */
export interface AnalysisRecord extends AnalysisMeta {
  tenant: string;
  status: AnalysisStatus;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  error?: string;
  /** How many times the analyzer has started on this analysis (this generation). The fencing token. */
  attempts: number;
  /** Bumped by each re-analysis; deliveries are deduplicated per generation. 0 at first. */
  generation?: number;
  /** Epoch ms until which the running attempt holds the analysis; another may take over after it. */
  leaseUntilMs?: number;
  /** TTL (epoch seconds): short-lived analyses expire; pinning a baseline removes it. */
  expiresAt?: number;
  /** Findings by severity, for listings that do not load report bodies. */
  findingCounts?: { error: number; warning: number; info: number };
  archive: { key: string; bytes?: number; fileName?: string; etag?: string };
  /** Set for archives sent through POST /v1/uploads: how, and the size the client declared. */
  upload?: UploadInfo;
  progress?: AnalysisProgress;
  result?: AnalysisResult;
  /** Where the artifacts served alongside the report live: folded stacks per perf event → S3 key; the timeline's operation points. */
  artifactKeys?: { folded?: Record<string, string>; timeline?: string };
}

export interface UploadInfo {
  method: 'PUT' | 'POST' | 'MULTIPART';
  declaredBytes: number;
  /** When the presigned URLs stop working. */
  expiresAt: string;
  /** MULTIPART: S3's upload id, the part size and the number of parts. */
  uploadId?: string;
  partSize?: number;
  parts?: number;
  /** MULTIPART: when POST /v1/uploads/{id}/complete assembled it. */
  completedAt?: string;
}

/** Artifacts to store with a completed analysis (see shared/analyses/collector.ts). */
export interface ArtifactBodies {
  folded: Map<string, string>;
  /** JSON of the GC timeline's operation points (model/timeline.ts). */
  timeline?: string;
}

export interface AnalysisStore {
  /** Creates the record; a ConflictError-like TraceLensError('conflict') if the id exists. */
  create(record: AnalysisRecord): Promise<void>;
  /** The record; its result (possibly an S3 body) only when `withResult` (default true). */
  get(tenant: string, id: string, withResult?: boolean): Promise<AnalysisRecord | undefined>;
  /**
   * Takes the analysis for one attempt: moves the status to `running` when it is one of `from` — a
   * `running` one only once its lease has expired (its attempt died) — counting the attempt and holding
   * a lease until `leaseUntilMs`. Returns the updated record (its `attempts` is this attempt's fencing
   * token), or undefined when it is in another state or held by a live attempt (guarded transition).
   */
  start(tenant: string, id: string, from: AnalysisStatus[], startedAt: string, leaseUntilMs?: number): Promise<AnalysisRecord | undefined>;
  saveProgress(tenant: string, id: string, progress: AnalysisProgress): Promise<void>;
  /**
   * running → complete with the result, its findings as items and its artifacts; only while `attempt`
   * still holds it (a zombie attempt gets a conflict and writes nothing to the item).
   */
  complete(
    tenant: string,
    id: string,
    result: AnalysisResult,
    completedAt: string,
    artifacts?: ArtifactBodies,
    attempt?: number,
  ): Promise<void>;
  /**
   * → failed with the reason; keeps what was read so far as a partial result. With `attempt`, only while
   * that attempt holds it; with `unlessComplete`, never overwrites a complete analysis.
   */
  fail(
    tenant: string,
    id: string,
    error: string,
    completedAt: string,
    partial?: AnalysisResult,
    opts?: { attempt?: number; unlessComplete?: boolean },
  ): Promise<void>;
  /**
   * complete/failed (or running with an expired lease) → pending, next generation, attempts 0.
   * Returns the new generation; a conflict when an attempt is under way.
   */
  reanalyze(tenant: string, id: string, nowMs: number): Promise<number>;
  /**
   * Ends the lease of a `running` analysis whose attempt is known dead (the local service after a
   * restart: the data-dir lock proves the previous process gone), so the next delivery takes it over.
   */
  expireLease(tenant: string, id: string): Promise<void>;
  /** Records `upload.completedAt` of a multipart upload (once: a conflict the second time). */
  markUploadCompleted(tenant: string, id: string, completedAt: string): Promise<void>;
}

/**
 * At-most-once processing of a delivery: one item per (bucket, key, ETag, generation). `claim` wins
 * for exactly one of concurrent duplicate deliveries; a claim whose lease ran out (its worker died) can
 * be taken over; `done` makes every later duplicate a no-op.
 */
export interface IdempotencyStore {
  claim(key: IdempotencyKey, ref: { tenant: string; id: string }, nowMs: number, leaseMs: number): Promise<ClaimOutcome>;
  done(key: IdempotencyKey): Promise<void>;
  /** Gives a claim back after a failed attempt, so the redelivery can take it at once. */
  release(key: IdempotencyKey): Promise<void>;
}

export interface IdempotencyKey {
  bucket: string;
  key: string;
  etag: string;
  generation: number;
}

export type ClaimOutcome = 'claimed' | 'done' | 'held';

/**
 * Client request keys (the `Idempotency-Key` header of POST /v1/analyses and POST /v1/uploads): a retried
 * request finds the analysis its first attempt made instead of making a second one.
 */
export interface RequestKeyStore {
  /**
   * Binds the tenant's `key` to `binding` unless it is bound already (a conditional write: of concurrent
   * requests with one key exactly one binds). Returns the existing binding, or undefined when this call bound it.
   */
  bind(tenant: string, key: string, binding: RequestKeyBinding, nowMs: number): Promise<RequestKeyBinding | undefined>;
  /** Frees the key when the request it was bound for stored nothing, so a retry starts afresh (only while still bound to `analysisId`). */
  unbind(tenant: string, key: string, analysisId: string): Promise<void>;
}

export interface RequestKeyBinding {
  analysisId: string;
  /** What the request was (route and a hash of its body): a key reused for another request is refused. */
  fingerprint: string;
}

/** Where re-analyses are announced (SQS on AWS, the in-process queue locally). */
export interface AnalysisQueue {
  enqueueReanalysis(job: { tenant: string; id: string; generation: number }): Promise<void>;
}

export interface StoredArchive {
  body: ByteSource;
  bytes: number;
  etag?: string;
}

export interface ArchiveStore {
  putArchive(key: string, body: Uint8Array, contentType?: string): Promise<void>;
  openArchive(key: string): Promise<StoredArchive>;
  /** Whether the archive object exists (failed analyses never delete it). */
  hasArchive(key: string): Promise<boolean>;
  /** Size and ETag of the stored archive, or undefined when it does not exist. */
  headArchive(key: string): Promise<{ bytes: number; etag?: string } | undefined>;
}

/** Report bodies too large for a DynamoDB item (400 KB) live here, keyed by reportKey(). */
export interface ReportBodyStore {
  putReportBody(key: string, json: string): Promise<void>;
  getReportBody(key: string): Promise<string>;
  /** Text artifacts (folded stacks) beside the report. */
  putArtifact(key: string, text: string, contentType: string): Promise<void>;
  getArtifact(key: string): Promise<string>;
}

/** Presigned uploads straight to the archive bucket (SPEC §5 POST /v1/uploads). */
export interface UploadSigner {
  /** A PUT whose signature covers the exact Content-Length. */
  presignPut(key: string, bytes: number, expiresInS: number): Promise<{ url: string; headers: Record<string, string> }>;
  /** A browser-style POST whose policy holds a content-length-range of [1, maxBytes]. */
  presignPost(key: string, maxBytes: number, expiresInS: number): Promise<{ url: string; fields: Record<string, string> }>;
  /** Starts a multipart upload; returns S3's upload id. */
  startMultipart(key: string): Promise<string>;
  /** Signs one URL per part of a multipart upload (again for a retried POST /v1/uploads: fresh ones). */
  presignParts(key: string, uploadId: string, bytes: number, partSize: number, expiresInS: number): Promise<Array<{ partNumber: number; url: string }>>;
  completeMultipart(key: string, uploadId: string, parts: Array<{ partNumber: number; etag: string }>): Promise<{ etag?: string }>;
  abortMultipart(key: string, uploadId: string): Promise<void>;
}
