import { randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiError, clientFrom, DEFAULT_SERVER, type ApiClient } from './http-client.js';
import { UsageError, type CliIo } from './io.js';
import { gitInfo, packDirectory, type PackMeta } from './pack.js';
import { transferProgress } from './progress.js';
import { fetchComparison, printGate, waitForAnalysis } from './remote.js';

export const UPLOAD_USAGE =
  'tracelens upload PATH --repo R --branch B --commit C [--label k=v ...] [--server URL] [--token T] [--wait] [--gate] [--base branch:NAME|ID] [--timeout S] [--upload-method PUT|POST|MULTIPART]';

/** SPEC §5: archives up to this go in the body of POST /v1/analyses; larger ones through POST /v1/uploads. */
export const DIRECT_MAX_BYTES = 6 * 1024 * 1024;
/** Multipart parts in flight at once. */
export const PART_CONCURRENCY = 4;
/** What `--gate` compares with when no --base is given: a PR's upload is judged against main. */
export const DEFAULT_GATE_BASE = 'branch:main';
const LABEL_KEY = /^[\w.-]{1,64}$/;

/** `tracelens upload --help`. */
export const UPLOAD_HELP = `usage: ${UPLOAD_USAGE}

Sends PATH (an archive, or a directory packed on the fly like \`tracelens pack\`) to the server:
up to 6 MB in the body of POST /v1/analyses, larger through POST /v1/uploads (a presigned PUT;
multipart parts, 4 at a time, above 100 MB). Progress on stderr; network errors, 429 and 5xx are
retried with exponential backoff (5 tries, Retry-After honoured). Prints the report URL.

  --repo, --branch, --commit  the analysis' metadata; default: the git checkout of PATH or of the
                              current directory (origin remote → owner/name, HEAD, its branch)
  --label k=v                 a label (repeatable)
  --server URL                default: TRACELENS_URL, else ${DEFAULT_SERVER}
  --token T                   default: TRACELENS_TOKEN
  --wait                      follow the analysis (pending → running → complete/failed) and print
                              its markdown summary on stdout; exit 1 when it failed
  --gate                      implies --wait; compare with --base and exit 1 (printing the gate's
                              reasons) when the verdict is fail. With no baseline to compare with
                              (nothing pinned, no complete analysis of that branch) it says so and
                              exits 0: there is nothing to gate against
  --base branch:NAME|ID       what --gate compares with; default branch:main (a pull request's
                              upload is judged against main, whatever its own --branch)
  --timeout S                 stop waiting after S seconds (default 1800); the analysis goes on
  --upload-method M           ask for PUT, POST or MULTIPART through /v1/uploads whatever the size

Exit codes: 0 ok (gate passed or nothing to gate against), 1 gate failed, analysis failed, server
or network error, 2 usage.
`;

type Method = 'PUT' | 'POST' | 'MULTIPART';

/**
 * `tracelens upload PATH`: sends an archive (or a directory, packed first like `tracelens pack`) to the
 * server — in the body of POST /v1/analyses up to 6 MB, else through POST /v1/uploads (a presigned PUT,
 * or multipart parts above 100 MB, four at a time) — with progress on stderr and retries. Prints the
 * report URL. `--wait` follows the analysis and prints its markdown summary; `--gate` (implies --wait)
 * compares it with `--base` (default `branch:main`) and exits 1 when the gate fails; with no baseline to
 * compare with, it says so and exits 0.
 *
 * repo, branch and commit default to the git checkout of PATH (or of the current directory).
 * Exit codes: 0 ok, 1 gate failed / analysis failed / server or network error, 2 usage.
 */
export async function uploadCommand(argv: string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      repo: { type: 'string' },
      branch: { type: 'string' },
      commit: { type: 'string' },
      label: { type: 'string', multiple: true },
      server: { type: 'string' },
      token: { type: 'string' },
      wait: { type: 'boolean', default: false },
      gate: { type: 'boolean', default: false },
      base: { type: 'string' },
      timeout: { type: 'string' },
      'upload-method': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(UPLOAD_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`upload takes one PATH (an archive or a directory)\nusage: ${UPLOAD_USAGE}`);
  const path = positionals[0]!;
  const labels = parseLabels(values.label ?? []);
  const forced = values['upload-method']?.toUpperCase();
  if (forced !== undefined && forced !== 'PUT' && forced !== 'POST' && forced !== 'MULTIPART') {
    throw new UsageError(`--upload-method must be PUT, POST or MULTIPART, not "${values['upload-method']}"`);
  }
  const timeoutS = values.timeout === undefined ? 1800 : Number(values.timeout);
  if (!(timeoutS > 0)) throw new UsageError(`--timeout is seconds, not "${values.timeout}"`);
  if (values.base && !values.gate) throw new UsageError('--base goes with --gate');

  const st = statSync(path); // ENOENT names the path
  const meta = metadata(values, st.isDirectory() ? path : undefined, env);
  const client = clientFrom(values, env, io.stderr);

  let tmp: string | undefined;
  let file = path;
  try {
    if (st.isDirectory()) {
      tmp = mkdtempSync(join(tmpdir(), 'tracelens-pack-'));
      file = join(tmp, `${basename(resolve(path))}.tar.gz`);
      io.stderr.write(`packing ${path} ...\n`);
      const packed = await packDirectory(path, file, meta, { env });
      io.stderr.write(`packed ${packed.files} files and manifest.json: ${mb(packed.bytes)} MB\n`);
    } else if (!st.isFile()) throw new UsageError(`${path} is neither a file nor a directory`);

    const sent = await sendArchive(client, io, file, meta, labels, forced);
    io.stderr.write(`report: ${sent.reportUrl}\n`);
    if (!values.wait && !values.gate) {
      io.stdout.write(`${sent.reportUrl}\n`);
      return 0;
    }

    const done = await waitForAnalysis(client, io, sent.id, { timeoutMs: timeoutS * 1000, ...pollOption(env) });
    if (done.status === 'failed') {
      io.stderr.write(`tracelens: analysis ${sent.id} failed: ${done.error ?? 'no reason given'}\n`);
      return 1;
    }
    const md = await client.text('GET', `/v1/analyses/${sent.id}?format=md`);
    io.stdout.write(md.endsWith('\n') ? md : `${md}\n`);
    if (!values.gate) return 0;

    const base = values.base ?? DEFAULT_GATE_BASE;
    try {
      const { comparison } = await fetchComparison(client, sent.id, base, 'json');
      return printGate(io, comparison.gate, base);
    } catch (err) {
      if (err instanceof ApiError && err.httpStatus === 404 && base.startsWith('branch:')) {
        io.stderr.write(`gate: no baseline for ${base} (nothing pinned and no complete analysis of that branch): nothing to gate against, passing\n`);
        return 0;
      }
      throw err;
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

interface Sent {
  id: string;
  reportUrl: string;
}

/** Sends the archive the way its size calls for; progress on stderr. */
export async function sendArchive(
  client: ApiClient,
  io: CliIo,
  file: string,
  meta: PackMeta,
  labels: Record<string, string>,
  forced?: Method,
): Promise<Sent> {
  const size = statSync(file).size;
  if (size === 0) throw new UsageError(`${file} is empty`);
  const fileName = basename(file);
  // One key for this upload, sent again by every retry: a retry after a lost answer gets the analysis
  // the first attempt made rather than a second one.
  const idempotencyKey = randomUUID();
  const progress = transferProgress(io.stderr, 'upload', size);
  try {
    if (size <= DIRECT_MAX_BYTES && !forced) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(meta)) if (v) q.set(k, v);
      for (const [k, v] of Object.entries(labels)) q.set(`label.${k}`, v);
      const body = fileBody(file, progress);
      const res = await client.json<Sent>('POST', `/v1/analyses?${q}`, {
        body: body.next,
        onAttemptFailed: body.undo,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(size),
          'content-disposition': `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`,
          'idempotency-key': idempotencyKey,
        },
        what: 'upload',
      });
      progress.done();
      return res;
    }
    const created = await client.json<{ id: string; reportUrl: string; upload: Upload }>('POST', '/v1/uploads', {
      json: { ...meta, labels, fileName, sizeBytes: size, ...(forced ? { method: forced } : {}) },
      headers: { 'idempotency-key': idempotencyKey },
    });
    try {
      await sendUpload(client, created.id, created.upload, file, size, progress);
    } catch (err) {
      // Abandon it (best effort) so the analysis fails at once instead of staying pending.
      await client.request('DELETE', `/v1/uploads/${created.id}`).catch(() => {});
      throw err;
    }
    progress.done();
    return { id: created.id, reportUrl: created.reportUrl };
  } catch (err) {
    progress.abort();
    throw err;
  }
}

type Upload =
  | { method: 'PUT'; url: string; headers: Record<string, string> }
  | { method: 'POST'; url: string; fields: Record<string, string> }
  | { method: 'MULTIPART'; partSize: number; parts: Array<{ partNumber: number; url: string }>; completeUrl?: string };

type Progress = ReturnType<typeof transferProgress>;

async function sendUpload(client: ApiClient, id: string, upload: Upload, file: string, size: number, progress: Progress): Promise<void> {
  if (upload.method === 'PUT') {
    const body = fileBody(file, progress);
    await client.request('PUT', upload.url, {
      auth: false,
      headers: { 'content-length': String(size), ...upload.headers },
      body: body.next,
      onAttemptFailed: body.undo,
      what: 'upload',
    });
    return;
  }
  if (upload.method === 'POST') {
    const blob = await openAsBlob(file); // read from disk as the form is sent, not buffered
    await client.request('POST', upload.url, {
      auth: false,
      body: () => {
        const form = new FormData();
        for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
        form.append('file', blob, basename(file));
        return form;
      },
      what: 'upload',
    });
    progress.add(size);
    return;
  }
  const { partSize, parts } = upload;
  if (!(partSize > 0) || parts.length !== Math.ceil(size / partSize)) {
    throw new ApiError(0, client.url('/v1/uploads'), `the server planned ${parts.length} parts of ${partSize} bytes for ${size} bytes; that does not add up`);
  }
  const etags: Array<{ partNumber: number; etag: string }> = [];
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      const part = parts[next++]!;
      const start = (part.partNumber - 1) * partSize;
      const end = Math.min(size, start + partSize) - 1;
      const body = fileBody(file, progress, { start, end });
      const res = await client.request('PUT', part.url, {
        auth: false,
        headers: { 'content-length': String(end - start + 1) },
        body: body.next,
        onAttemptFailed: body.undo,
        what: `upload part ${part.partNumber}/${parts.length}`,
      });
      await res.arrayBuffer().catch(() => undefined);
      const etag = res.headers.get('etag');
      if (!etag) throw new ApiError(res.status, part.url.split('?')[0]!, `upload part ${part.partNumber}: storage returned no ETag`);
      etags.push({ partNumber: part.partNumber, etag });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, parts.length) }, worker));
  etags.sort((a, b) => a.partNumber - b.partNumber);
  // Through our own server URL (the API key goes only there), whatever host completeUrl names.
  await client.request('POST', `/v1/uploads/${encodeURIComponent(id)}/complete`, {
    headers: { 'content-type': 'application/json' },
    body: () => JSON.stringify({ parts: etags }),
    what: 'complete the upload',
  });
}

/**
 * A body factory reading `file` (or a byte range) afresh for each attempt, counting what is sent into
 * `progress`; `undo` takes a failed attempt's bytes back out.
 */
function fileBody(file: string, progress: Progress, range?: { start: number; end: number }) {
  let sent = 0;
  return {
    next: () => {
      sent = 0;
      const stream = createReadStream(file, { highWaterMark: 256 * 1024, ...range });
      async function* counted() {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          sent += chunk.length;
          progress.add(chunk.length);
          yield chunk;
        }
      }
      return counted() as unknown as RequestInit['body'];
    },
    undo: () => {
      progress.add(-sent);
      sent = 0;
    },
  };
}

function parseLabels(list: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf('=');
    const key = at > 0 ? item.slice(0, at) : '';
    if (!LABEL_KEY.test(key)) throw new UsageError(`--label is k=v with k of letters, digits, . _ - (at most 64), not "${item}"`);
    labels[key] = item.slice(at + 1);
  }
  return labels;
}

/** repo, branch, commit: the flags, else the git checkout of the packed directory or the current directory. */
function metadata(
  v: { repo?: string | undefined; branch?: string | undefined; commit?: string | undefined },
  dir: string | undefined,
  env: Record<string, string | undefined>,
): PackMeta {
  const meta: PackMeta = {};
  if (v.repo) meta.repo = v.repo;
  if (v.branch) meta.branch = v.branch;
  if (v.commit) meta.commit = v.commit;
  if (meta.repo && meta.branch && meta.commit) return meta;
  const git = (dir ? gitInfo(dir, env) : undefined) ?? gitInfo(process.cwd(), env) ?? {};
  for (const k of ['repo', 'branch', 'commit'] as const) if (!meta[k] && git[k]) meta[k] = git[k];
  const missing = (['repo', 'branch', 'commit'] as const).filter((k) => !meta[k]);
  if (missing.length) throw new UsageError(`${missing.map((k) => `--${k}`).join(', ')} needed (not given, and not found in a git checkout)\nusage: ${UPLOAD_USAGE}`);
  return meta;
}

function pollOption(env: Record<string, string | undefined>): { pollMs?: number } {
  return env.TRACELENS_POLL_MS && /^\d+$/.test(env.TRACELENS_POLL_MS) ? { pollMs: Number(env.TRACELENS_POLL_MS) } : {};
}

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}
