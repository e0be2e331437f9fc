import { parseArgs } from 'node:util';
import type { AnalysisProgress } from '../model/report.js';
import { ApiError, clientFrom, type ApiClient } from './http-client.js';
import { UsageError, type CliIo } from './io.js';
import { analysisStatusPrinter } from './progress.js';

export const REPORT_USAGE = 'tracelens report ID [--format json|md|slack|sarif|folded] [--server URL] [--token T]';
export const COMPARE_USAGE = 'tracelens compare ID --base ID|branch:NAME [--format json|md] [--server URL] [--token T]';

const REPORT_FORMATS = ['json', 'md', 'slack', 'sarif', 'folded'];
const CONNECTION_OPTIONS = { server: { type: 'string' }, token: { type: 'string' } } as const;

/** `tracelens report ID`: the report from the server (TRACELENS_URL, TRACELENS_TOKEN) in the asked format, on stdout. */
export async function reportCommand(argv: string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, format: { type: 'string', default: 'json' } },
  });
  if (positionals.length !== 1) throw new UsageError(`report takes one analysis ID\nusage: ${REPORT_USAGE}`);
  if (!REPORT_FORMATS.includes(values.format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, not "${values.format}"`);
  const client = clientFrom(values, env, io.stderr);
  const text = await client.text('GET', `/v1/analyses/${encodeURIComponent(positionals[0]!)}?format=${values.format}`);
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

/**
 * `tracelens compare ID --base ID|branch:NAME`: the comparison (json or md) on stdout; exit 1 with the
 * gate's reasons on stderr when its verdict is fail.
 */
export async function compareCommand(argv: string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, base: { type: 'string' }, format: { type: 'string', default: 'json' } },
  });
  if (positionals.length !== 1) throw new UsageError(`compare takes one analysis ID\nusage: ${COMPARE_USAGE}`);
  if (!values.base) throw new UsageError(`--base is required: an analysis id or branch:NAME\nusage: ${COMPARE_USAGE}`);
  if (values.format !== 'json' && values.format !== 'md') throw new UsageError(`--format must be json or md, not "${values.format}"`);
  const client = clientFrom(values, env, io.stderr);
  const { comparison, text } = await fetchComparison(client, positionals[0]!, values.base, values.format);
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return printGate(io, comparison.gate, values.base);
}

export interface Gate {
  verdict: 'pass' | 'fail';
  reasons: string[];
}

/** The comparison (JSON, for the verdict) and its text in `format`. */
export async function fetchComparison(client: ApiClient, id: string, base: string, format: 'json' | 'md'): Promise<{ comparison: { gate: Gate }; text: string }> {
  const path = `/v1/analyses/${encodeURIComponent(id)}/compare?base=${encodeURIComponent(base)}`;
  const text = await client.text('GET', path, { headers: { accept: 'application/json' } });
  const comparison = JSON.parse(text) as { gate: Gate };
  if (format === 'json') return { comparison, text };
  return { comparison, text: await client.text('GET', `${path}&format=md`) };
}

/** The gate's verdict on stderr; 1 when it failed. */
export function printGate(io: CliIo, gate: Gate, base: string): number {
  if (gate.verdict === 'pass') {
    io.stderr.write(`gate: pass against ${base}\n`);
    return 0;
  }
  io.stderr.write(`gate: FAIL against ${base}\n${gate.reasons.map((r) => `  - ${r}\n`).join('')}`);
  return 1;
}

interface StatusView {
  id: string;
  status: 'pending' | 'running' | 'complete' | 'failed';
  error?: string;
  progress?: AnalysisProgress;
}

/**
 * Polls GET /v1/analyses/{id} until the analysis is complete or failed, showing its status on stderr.
 * Polls every `pollMs` at first, then less often (up to 5 s); gives up after `timeoutMs`.
 */
export async function waitForAnalysis(
  client: ApiClient,
  io: CliIo,
  id: string,
  o: { pollMs?: number; timeoutMs?: number } = {},
): Promise<StatusView> {
  const printer = analysisStatusPrinter(io.stderr);
  const t0 = Date.now();
  let delay = o.pollMs ?? 500;
  const timeoutMs = o.timeoutMs ?? 30 * 60_000;
  try {
    for (;;) {
      const r = await client.json<StatusView>('GET', `/v1/analyses/${encodeURIComponent(id)}`);
      printer.update(r.status, r.status === 'running' ? r.progress : undefined);
      if (r.status === 'complete' || r.status === 'failed') return r;
      if (Date.now() - t0 > timeoutMs) {
        throw new ApiError(0, client.url(`/v1/analyses/${id}`), `analysis ${id} is still ${r.status} after ${Math.round(timeoutMs / 1000)} s; stopped waiting (it goes on; see tracelens report ${id})`);
      }
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(5000, Math.ceil(delay * 1.5));
    }
  } finally {
    printer.done();
  }
}
