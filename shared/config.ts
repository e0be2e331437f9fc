import { DEFAULT_LIMITS, LIMIT_SETTINGS, type Limits } from './limits.js';

/**
 * Configuration, read once at start (cold start on Lambda), failing fast with the variable's name.
 */
export interface Config {
  tableName: string;
  bucketName: string;
  region: string;
  /** Set for the embedded emulators (local service, tests); unset on AWS. */
  s3Endpoint?: string;
  dynamoEndpoint?: string;
  limits: Limits;
  /** Days an analysis is kept unless pinned as a baseline (`TRACELENS_RETENTION_DAYS`, default 30). */
  retentionDays: number;
  /** The archive queue (`QUEUE_URL`): the API enqueues re-analyses on it. Unset: re-analysis is unavailable. */
  queueUrl?: string;
  /**
   * Share-link signing secrets, newest first (`TRACELENS_SHARE_SECRETS`, comma-separated); on AWS the
   * API reads them from Secrets Manager (`SHARE_SECRET_ARN`) at cold start instead.
   */
  shareSecrets: string[];
  shareSecretArn?: string;
  /** The DLQ's ARN (`DEAD_LETTER_QUEUE_ARN`): the analyzer tells dead letters apart by it. */
  deadLetterQueueArn?: string;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new ConfigError(name, 'is not set');
  return v;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(name, `must be a positive integer, got "${v}"`);
  return n;
}

/** Limits from their settings (LIMIT_SETTINGS: `TRACELENS_LIMIT_ARCHIVE_BYTES`, `..._DECODED_BYTES`, ...); unset: the default. */
export function loadLimits(env: Env): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_SETTINGS) as Array<keyof Limits>) {
    out[key] = positiveInt(env, LIMIT_SETTINGS[key].env, DEFAULT_LIMITS[key]);
  }
  return out;
}

export function loadConfig(env: Env): Config {
  const config: Config = {
    tableName: required(env, 'TABLE_NAME'),
    bucketName: required(env, 'BUCKET_NAME'),
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    limits: loadLimits(env),
    retentionDays: positiveInt(env, 'TRACELENS_RETENTION_DAYS', 30),
    shareSecrets: (env.TRACELENS_SHARE_SECRETS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
  if (env.QUEUE_URL) config.queueUrl = env.QUEUE_URL;
  if (env.SHARE_SECRET_ARN) config.shareSecretArn = env.SHARE_SECRET_ARN;
  if (env.DEAD_LETTER_QUEUE_ARN) config.deadLetterQueueArn = env.DEAD_LETTER_QUEUE_ARN;
  if (env.TRACELENS_S3_ENDPOINT) config.s3Endpoint = env.TRACELENS_S3_ENDPOINT;
  if (env.TRACELENS_DYNAMODB_ENDPOINT) config.dynamoEndpoint = env.TRACELENS_DYNAMODB_ENDPOINT;
  return config;
}

/**
 * The configuration against the embedded emulators (the local service, tests): their endpoints, the
 * given table and bucket, default limits and retention unless given, no share secrets.
 */
export function embeddedConfig(
  endpoints: { s3Endpoint: string; dynamoEndpoint: string },
  o: { tableName: string; bucketName: string; limits?: Limits; retentionDays?: number },
): Config {
  return {
    tableName: o.tableName,
    bucketName: o.bucketName,
    region: 'us-east-1',
    s3Endpoint: endpoints.s3Endpoint,
    dynamoEndpoint: endpoints.dynamoEndpoint,
    limits: o.limits ?? { ...DEFAULT_LIMITS },
    retentionDays: o.retentionDays ?? 30,
    shareSecrets: [],
  };
}
