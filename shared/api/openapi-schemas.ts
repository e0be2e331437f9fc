/**
 * The response bodies of the API as JSON Schema (2020-12, OpenAPI 3.1's dialect): `components.schemas`
 * of /openapi.json. Hand-written from the SPEC (§4 report, §5 routes) and checked against real responses
 * of every route in test/openapi-responses.test.ts, so a client generated from the document can trust it.
 * Objects stay open (`additionalProperties` allowed): later fields are additions, not breaks.
 */
import { z } from 'zod';
import { GateThresholdOverridesSchema, GateThresholdsSchema } from '../analyses/compare/gate.js';

type Json = Record<string, unknown>;

/** JSON Schema 2020-12 of a zod schema: what a client may send (`input`) or what the API answers (`output`). */
export function jsonSchemaOf(s: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const str: Json = { type: 'string' };
const int: Json = { type: 'integer' };
/** Integer nanoseconds (SPEC §4: "Times are integers in nanoseconds"). */
const ns: Json = { type: 'integer', minimum: 0 };
/** A fraction in [0, 1]. */
const share: Json = { type: 'number', minimum: 0, maximum: 1 };
const count: Json = { type: 'integer', minimum: 0 };
const ulid: Json = { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' };
const time: Json = { type: 'string', format: 'date-time' };
const url: Json = { type: 'string', format: 'uri' };
const status: Json = { enum: ['pending', 'running', 'complete', 'failed'] };
const severity: Json = { enum: ['info', 'warning', 'error'] };
const labels: Json = { type: 'object', additionalProperties: str };
/** What a report and a listing entry share: who made the analysis and where it stands. */
const analysisMeta: Json = { id: ulid, repo: str, branch: str, commit: str, labels, status, error: str, createdAt: time, completedAt: time };
const obj = (required: string[], properties: Json, extra: Json = {}): Json => ({ type: 'object', required, properties, ...extra });
const arrayOf = (items: Json): Json => ({ type: 'array', items });

const durationStats = {
  count,
  p50Ns: ns,
  p90Ns: ns,
  p99Ns: ns,
  p999Ns: ns,
  maxNs: ns,
};

const slowTest = obj(['thresholdNs', 'slowCount', 'slowInside', 'slowInsideShare'], {
  thresholdNs: ns,
  slowCount: count,
  slowInside: count,
  slowInsideShare: share,
  lift: { type: ['number', 'null'] },
  pValue: share,
});

/** `latency[].gc`: the causality test (or why there is none). */
const causality: Json = {
  oneOf: [
    obj(['verdict', 'verdictReason'], { verdict: { const: 'insufficient-data' }, verdictReason: str }, { not: { required: ['inside'] } }),
    obj(
      ['count', 'inside', 'outside', 'gcTimeShare', 'slowInsideShare', 'lift', 'pValue', 'phases', 'cycles', 'verdict', 'verdictReason', 'p99', 'p999'],
      {
        count,
        windows: count,
        spanNs: obj(['startNs', 'endNs'], { startNs: ns, endNs: ns }),
        inside: obj(['count'], durationStats),
        outside: obj(['count'], durationStats),
        gcTimeShare: share,
        overlapShare: share,
        slowInsideShare: share,
        expectedInsideShare: share,
        lift: { type: ['number', 'null'], minimum: 0 },
        adjustedLift: { type: ['number', 'null'], minimum: 0 },
        pValue: share,
        p99: slowTest,
        p999: slowTest,
        phases: obj(['sweepTermination', 'mark', 'markTermination'], {}),
        cycles: arrayOf(obj(['n', 'startNs', 'endNs', 'ops', 'slowOps', 'maxNs'], { n: int, startNs: ns, endNs: ns, ops: count, slowOps: count, maxNs: ns })),
        verdict: { enum: ['gc-explains', 'no-evidence', 'insufficient-data'] },
        verdictReason: str,
      },
    ),
  ],
};

const finding = obj(['id', 'rule', 'severity', 'title', 'message', 'evidence', 'recommendation'], {
  id: str,
  rule: { type: 'string', pattern: '^[A-Z]+[0-9]{3}$' },
  severity,
  title: str,
  message: str,
  location: obj([], { file: str, line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 0 }, function: str }),
  evidence: { type: 'object' },
  recommendation: str,
});

const report = obj(
  ['schemaVersion', 'id', 'labels', 'status', 'createdAt', 'inputs', 'findings', 'escapeSites', 'hotspots', 'gc', 'latency', 'sched', 'pageFaults', 'dataQuality'],
  {
    schemaVersion: { const: 1 },
    ...analysisMeta,
    startedAt: time,
    progress: obj(['archiveBytesRead', 'entriesRead'], { archiveBytesRead: count, archiveBytes: count, entriesRead: count, currentEntry: str }),
    inputs: arrayOf(
      obj(['name', 'kind', 'bytes', 'warnings'], {
        name: str,
        kind: { enum: ['perf-script', 'pprof', 'go-escape', 'gctrace', 'perf-sched-latency', 'folded', 'manifest', 'unknown'] },
        bytes: count,
        storedBytes: count,
        encoding: { const: 'gzip' },
        warnings: arrayOf(str),
        error: str,
        summary: { type: 'object' },
      }),
    ),
    findings: arrayOf(finding),
    escapeSites: arrayOf(
      obj(['file', 'line', 'column', 'expression', 'message', 'boxing', 'reasons', 'allocBytes', 'allocObjects', 'allocShare', 'cpuShare'], {
        file: str,
        line: { type: 'integer', minimum: 1 },
        column: { type: 'integer', minimum: 0 },
        function: str,
        expression: str,
        message: str,
        boxing: { type: 'boolean' },
        reasons: arrayOf(str),
        allocBytes: count,
        allocObjects: count,
        allocShare: share,
        cpuShare: share,
      }),
    ),
    hotspots: arrayOf(
      obj(['source', 'event', 'totalWeight', 'topFunctions'], {
        source: str,
        event: str,
        unit: str,
        samples: count,
        totalWeight: { type: 'number', minimum: 0 },
        topFunctions: arrayOf(obj(['name', 'self', 'total'], { name: str, self: { type: 'number', minimum: 0 }, total: { type: 'number', minimum: 0 } })),
      }),
    ),
    gc: obj(['cycles', 'alignment'], {
      cycles: arrayOf(
        obj(['n', 'startNs', 'sweepTermNs', 'markNs', 'markTermNs', 'heapBeforeBytes', 'heapAfterBytes', 'heapLiveBytes'], {
          n: { type: 'integer', minimum: 1 },
          startNs: { type: ['integer', 'null'], minimum: 0 },
          sweepTermNs: ns,
          markNs: ns,
          markTermNs: ns,
          heapBeforeBytes: count,
          heapAfterBytes: count,
          heapLiveBytes: count,
          heapGoalBytes: { type: ['integer', 'null'], minimum: 0 },
          forced: { type: 'boolean' },
        }),
      ),
      alignment: {
        oneOf: [
          { type: 'null' },
          obj(['method', 'offsetNs', 'residualNs', 'confidence'], {
            method: str,
            offsetNs: int,
            residualNs: ns,
            driftPpm: { type: 'number' },
            confidence: { enum: ['high', 'medium', 'low', 'none'] },
          }),
        ],
      },
    }),
    latency: arrayOf(
      obj(['series', 'kind', 'count', 'p50Ns', 'p99Ns', 'p999Ns', 'maxNs'], {
        source: str,
        series: str,
        kind: { enum: ['duration', 'gap', 'runqueue'] },
        ...durationStats,
        sumNs: ns,
        gc: causality,
      }),
    ),
    sched: { type: ['object', 'null'] },
    pageFaults: { type: ['object', 'null'] },
    dataQuality: arrayOf(obj(['rule', 'severity', 'message'], { rule: str, severity, message: str, input: str })),
  },
);

const upload: Json = {
  oneOf: [
    obj(['method', 'url', 'headers'], { method: { const: 'PUT' }, url, headers: { type: 'object', additionalProperties: str } }),
    obj(['method', 'url', 'fields'], { method: { const: 'POST' }, url, fields: { type: 'object', additionalProperties: str } }),
    obj(['method', 'partSize', 'parts', 'completeUrl'], {
      method: { const: 'MULTIPART' },
      partSize: { type: 'integer', minimum: 5 * 1024 * 1024 },
      parts: arrayOf(obj(['partNumber', 'url'], { partNumber: { type: 'integer', minimum: 1, maximum: 10_000 }, url })),
      completeUrl: url,
    }),
  ],
};

/** The gate's thresholds as the API answers them (numbers in base units: bytes, ns, fractions). */
const gateThresholds = jsonSchemaOf(GateThresholdsSchema, 'output');

export const RESPONSE_SCHEMAS: Record<string, Json> = {
  Error: obj(['error'], {
    error: obj(['code', 'message'], {
      code: { enum: ['invalid_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'too_large', 'unsupported_format', 'unparsable', 'rate_limited', 'internal'] },
      message: str,
      details: { type: 'object' },
    }),
  }),
  Accepted: obj(['id', 'status', 'reportUrl'], { id: ulid, status, reportUrl: url, generation: count }),
  Report: { description: 'SPEC §4 report (schemaVersion 1)', ...report },
  Finding: finding,
  Upload: obj(['id', 'status', 'reportUrl', 'expiresAt', 'upload'], { id: ulid, status: { const: 'pending' }, reportUrl: url, expiresAt: time, upload }),
  ShareLink: obj(['url', 'expiresAt'], { url, expiresAt: time }),
  AnalysisSummary: obj(['id', 'repo', 'labels', 'status', 'createdAt', 'reportUrl'], {
    ...analysisMeta,
    findings: obj(['error', 'warning', 'info'], { error: count, warning: count, info: count }),
    reportUrl: url,
  }),
  AnalysisPage: obj(['items', 'nextCursor'], { items: arrayOf(ref('AnalysisSummary')), nextCursor: { type: ['string', 'null'] } }),
  Baseline: obj(['repo', 'branch', 'analysisId', 'pinnedAt'], { repo: str, branch: str, analysisId: ulid, pinnedAt: time }),
  Gate: obj(['repo', 'thresholds', 'overrides'], { repo: str, thresholds: gateThresholds, overrides: jsonSchemaOf(GateThresholdOverridesSchema, 'output') }),
  Comparison: obj(
    ['base', 'head', 'allocBytes', 'sites', 'unchangedSites', 'hotspots', 'latency', 'latencyOnlyInBase', 'latencyOnlyInHead', 'gc', 'findings', 'gate', 'thresholds'],
    {
      base: obj(['id'], { id: ulid }),
      head: obj(['id'], { id: ulid }),
      allocBytes: { type: 'object' },
      sites: arrayOf(obj(['file', 'line'], { file: str, line: { type: 'integer', minimum: 1 } })),
      unchangedSites: count,
      hotspots: arrayOf({ type: 'object' }),
      latency: arrayOf(obj(['series', 'kind'], { series: str, kind: { enum: ['duration', 'gap', 'runqueue'] } })),
      latencyOnlyInBase: arrayOf(str),
      latencyOnlyInHead: arrayOf(str),
      gc: { type: 'object' },
      findings: arrayOf(ref('Finding')),
      gate: obj(['verdict', 'reasons'], { verdict: { enum: ['pass', 'fail'] }, reasons: arrayOf(str) }),
      thresholds: gateThresholds,
    },
  ),
};
