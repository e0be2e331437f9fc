/**
 * The OpenAPI 3.1 document (`GET /openapi.json`), generated from the same zod schemas the routes
 * validate with (z.toJSONSchema, JSON Schema 2020-12 — OpenAPI 3.1's dialect). Each operation names
 * the scope its key needs; every error is the SPEC §5 error body.
 */
import { z } from 'zod';
import { GateThresholdOverridesSchema } from '../analyses/compare/gate.js';
import { MetadataQuery, ShareRequest } from './routes/analyses.js';
import { PinBody } from './routes/repos.js';
import { CompleteRequest, UploadRequest } from './routes/uploads.js';
import { FORMATS } from './render-report.js';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key.js';
import { jsonSchemaOf, RESPONSE_SCHEMAS } from './openapi-schemas.js';

type Json = Record<string, unknown>;

/** A request body's schema from the route's zod schema (what a client may send). */
const schema = (s: z.ZodType): Json => jsonSchemaOf(s, 'input');

/** Query parameters from a zod object: one `in: query` parameter per property. */
function queryParams(s: z.ZodObject): Json[] {
  const js = schema(s) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: p }));
}

const idempotencyKeyParam = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  schema: { type: 'string', maxLength: 257 },
  description:
    'A key of the client’s (a UUID) that it sends again when it retries the request: the retry gets the analysis the first attempt made (marked `Idempotent-Replayed: true`). Kept 24 h per tenant; reused for a different request → 400; the first still in progress → 409.',
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' }, description: 'analysis id (ULID)' };
const repoParam = { name: 'repo', in: 'path', required: true, schema: { type: 'string' }, description: '`owner/name`, percent-encoded (`owner%2Fname`) or raw' };
const branchParam = { name: 'branch', in: 'path', required: true, schema: { type: 'string' }, description: 'branch name, percent-encoded or raw' };
const json = (s: Json | string) => ({ content: { 'application/json': { schema: typeof s === 'string' ? { $ref: `#/components/schemas/${s}` } : s } } });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c] ?? 'error', ...json('Error') }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'invalid request',
  401: 'no or invalid API key',
  403: 'the key lacks the scope',
  404: 'not found (or not this tenant’s)',
  409: 'conflict with the current state',
  413: 'too large',
  429: 'throttled',
};
const auth = (scope: string) => ({ security: [{ bearer: [] }], 'x-scope': scope });

export function openApiDocument(): Json {
  const reportQuery = [
    { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: [...FORMATS], default: 'json' } },
    { name: 'event', in: 'query', required: false, schema: { type: 'string' }, description: 'perf event for format=folded' },
  ];
  const reportResponses = {
    200: {
      description: 'the report',
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/Report' } },
        'text/markdown': { schema: { type: 'string' } },
        'application/sarif+json': { schema: { type: 'object' } },
        'text/plain': { schema: { type: 'string' }, description: 'folded stacks' },
      },
    },
  };
  const paths: Record<string, Json> = {
    '/healthz': { get: { operationId: 'health', summary: 'Liveness', security: [], responses: { 200: { description: 'ok' } } } },
    '/openapi.json': { get: { operationId: 'openapi', summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/docs': { get: { operationId: 'docs', summary: 'Rendered API docs', security: [], responses: { 200: { description: 'HTML' } } } },
    '/v1/analyses': {
      post: {
        operationId: 'createAnalysis',
        summary: 'Analyse a small archive (≤ 6 MB) sent as the body',
        ...auth('ingest'),
        parameters: [
          ...queryParams(MetadataQuery),
          { name: 'label.KEY', in: 'query', required: false, schema: { type: 'string' }, description: 'labels: label.ci=github' },
          idempotencyKeyParam,
        ],
        requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        responses: { 202: { description: 'accepted', ...json('Accepted') }, ...errors(400, 401, 403, 409, 413) },
      },
    },
    '/v1/analyses/{id}': {
      get: { operationId: 'getReport', summary: 'The report', ...auth('read'), parameters: [idParam, ...reportQuery], responses: { ...reportResponses, ...errors(400, 401, 403, 404, 409) } },
    },
    '/v1/analyses/{id}/compare': {
      get: {
        operationId: 'compare',
        summary: 'Diff against a baseline, with the CI gate verdict',
        ...auth('read'),
        parameters: [
          idParam,
          { name: 'base', in: 'query', required: true, schema: { type: 'string' }, description: 'an analysis id or branch:NAME' },
          { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'md'] } },
          ...queryParams(GateThresholdOverridesSchema as unknown as z.ZodObject),
        ],
        responses: { 200: { description: 'the comparison', content: { ...json('Comparison').content, 'text/markdown': { schema: { type: 'string' } } } }, ...errors(400, 401, 403, 404, 409) },
      },
    },
    '/v1/analyses/{id}/reanalyze': {
      post: { operationId: 'reanalyze', summary: 'Run the analysis again on the stored archive', ...auth('ingest'), parameters: [idParam], responses: { 202: { description: 'queued', ...json('Accepted') }, ...errors(401, 403, 404, 409) } },
    },
    '/v1/analyses/{id}/share': {
      post: {
        operationId: 'share',
        summary: 'A signed, expiring, read-only link for chatops',
        ...auth('read'),
        parameters: [idParam],
        requestBody: { required: false, ...json(schema(ShareRequest)) },
        responses: { 201: { description: 'the link', ...json('ShareLink') }, ...errors(400, 401, 403, 404) },
      },
    },
    '/v1/share/{token}': {
      get: {
        operationId: 'openShare',
        summary: 'The report a share link names (no key)',
        security: [],
        parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }, ...reportQuery],
        responses: { ...reportResponses, ...errors(404) },
      },
    },
    '/v1/uploads': {
      post: {
        operationId: 'createUpload',
        summary: 'Presigned PUT, POST or multipart upload of an archive of any size',
        ...auth('ingest'),
        parameters: [idempotencyKeyParam],
        requestBody: { required: true, ...json(schema(UploadRequest)) },
        responses: { 201: { description: 'how to send the bytes', ...json('Upload') }, ...errors(400, 401, 403, 409, 413) },
      },
    },
    '/v1/uploads/{id}/complete': {
      post: { operationId: 'completeUpload', summary: 'Finish a multipart upload', ...auth('ingest'), parameters: [idParam], requestBody: { required: true, ...json(schema(CompleteRequest)) }, responses: { 202: { description: 'accepted', ...json('Accepted') }, ...errors(400, 401, 403, 404, 409) } },
    },
    '/v1/uploads/{id}': {
      delete: { operationId: 'abandonUpload', summary: 'Abandon an upload', ...auth('ingest'), parameters: [idParam], responses: { 204: { description: 'abandoned' }, ...errors(401, 403, 404, 409) } },
    },
    '/v1/repos/{repo}/analyses': {
      get: {
        operationId: 'listAnalyses',
        summary: 'A repo’s analyses, newest first',
        ...auth('read'),
        parameters: [
          repoParam,
          { name: 'branch', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'a page', ...json('AnalysisPage') }, ...errors(400, 401, 403) },
      },
    },
    '/v1/repos/{repo}/baselines/{branch}': {
      get: { operationId: 'getBaseline', summary: 'The branch’s pinned baseline', ...auth('read'), parameters: [repoParam, branchParam], responses: { 200: { description: 'the pointer', ...json('Baseline') }, ...errors(401, 403, 404) } },
      put: { operationId: 'pinBaseline', summary: 'Pin a complete analysis as the branch’s baseline', ...auth('ingest'), parameters: [repoParam, branchParam], requestBody: { required: true, ...json(schema(PinBody)) }, responses: { 200: { description: 'pinned', ...json('Baseline') }, ...errors(400, 401, 403, 404, 409) } },
    },
    '/v1/repos/{repo}/gate': {
      get: { operationId: 'getGate', summary: 'The repo’s CI-gate thresholds', ...auth('read'), parameters: [repoParam], responses: { 200: { description: 'thresholds', ...json('Gate') }, ...errors(401, 403) } },
      put: { operationId: 'putGate', summary: 'Set the repo’s CI-gate threshold overrides', ...auth('admin'), parameters: [repoParam], requestBody: { required: true, ...json(schema(GateThresholdOverridesSchema)) }, responses: { 200: { description: 'set', ...json('Gate') }, ...errors(400, 401, 403) } },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'TraceLens API', version: '1', description: 'Trace analysis for Go programs that drive eBPF: which heap escapes cost, and whether GC causes latency.' },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key: tlk_<id>_<secret>' } },
      schemas: RESPONSE_SCHEMAS,
    },
  };
}

/** /docs: the document rendered by a tiny self-contained page (no CDN scripts). */
export function docsPage(doc: Json): string {
  const paths = doc.paths as Record<string, Record<string, { summary?: string; 'x-scope'?: string }>>;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const rows = Object.entries(paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(
        ([method, op]) => `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${esc(path)}</code></td><td>${esc(op.summary ?? '')}</td><td>${esc(op['x-scope'] ?? 'none')}</td></tr>`,
      ),
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>TraceLens API</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}code{font:13px ui-monospace,monospace}</style></head>
<body><h1>TraceLens API v1</h1><p>Send <code>Authorization: Bearer &lt;api key&gt;</code> on every route whose scope is not “none”. Errors are <code>{"error": {"code", "message", "details"}}</code>. The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>method</th><th>path</th><th>what</th><th>scope</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
