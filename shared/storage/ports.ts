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
  /** How many times the analyzer has started on this analysis. */
  attempts: number;
  archive: { key: string; bytes?: number; fileName?: string };
  progress?: AnalysisProgress;
  result?: AnalysisResult;
  /** Where the artifacts served alongside the report live: folded stacks per perf event → S3 key. */
  artifactKeys?: { folded?: Record<string, string> };
}

/** Artifacts to store with a completed analysis (see shared/analyses/collector.ts). */
export interface ArtifactBodies {
  folded: Map<string, string>;
}

export interface AnalysisStore {
  /** Creates the record; a ConflictError-like TraceLensError('conflict') if the id exists. */
  create(record: AnalysisRecord): Promise<void>;
  get(tenant: string, id: string): Promise<AnalysisRecord | undefined>;
  /**
   * Moves the status to `running` when it is one of `from`, counting the attempt.
   * Returns the updated record, or undefined when the record is in another state (guarded transition).
   */
  start(tenant: string, id: string, from: AnalysisStatus[], startedAt: string): Promise<AnalysisRecord | undefined>;
  saveProgress(tenant: string, id: string, progress: AnalysisProgress): Promise<void>;
  /** running → complete with the result (and its artifacts, stored beside the report body). */
  complete(tenant: string, id: string, result: AnalysisResult, completedAt: string, artifacts?: ArtifactBodies): Promise<void>;
  /** → failed with the reason; keeps what was read so far as a partial result. */
  fail(tenant: string, id: string, error: string, completedAt: string, partial?: AnalysisResult): Promise<void>;
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
}

/** Report bodies too large for a DynamoDB item (400 KB) live here, keyed by reportKey(). */
export interface ReportBodyStore {
  putReportBody(key: string, json: string): Promise<void>;
  getReportBody(key: string): Promise<string>;
  /** Text artifacts (folded stacks) beside the report. */
  putArtifact(key: string, text: string, contentType: string): Promise<void>;
  getArtifact(key: string): Promise<string>;
}
