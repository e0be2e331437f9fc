import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo } from './io.js';
import { fileEntry, writeTarGz, type TarEntry } from './tar-writer.js';

export const PACK_USAGE = 'tracelens pack DIR [--out FILE] [--repo R] [--branch B] [--commit C]';

export interface PackMeta {
  repo?: string;
  branch?: string;
  commit?: string;
}

export interface PackResult {
  out: string;
  bytes: number;
  /** Files packed from DIR (manifest.json not counted). */
  files: number;
  manifest: Record<string, unknown>;
}

/**
 * `tracelens pack DIR`: a .tar.gz of DIR's regular files (recursive, sorted, dot-files and dot-directories
 * skipped, paths relative to DIR) plus a generated `manifest.json` (SPEC §1): repo, branch and commit from
 * the flags, else from git (DIR's checkout, else the current directory's), goVersion from `go version`.
 * A manifest.json already in DIR is kept and completed, flags overriding it. Default --out: DIR's name + .tar.gz.
 */
export async function packCommand(argv: string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, repo: { type: 'string' }, branch: { type: 'string' }, commit: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError(`pack takes one DIR\nusage: ${PACK_USAGE}`);
  const dir = positionals[0]!;
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory\nusage: ${PACK_USAGE}`);
  const out = values.out ?? `${basename(resolve(dir))}.tar.gz`;
  const r = await packDirectory(dir, out, definedMeta(values), { env });
  io.stderr.write(`packed ${r.files} files and manifest.json (${describe(r.manifest)}) into ${r.out}, ${(r.bytes / 1024 / 1024).toFixed(1)} MB\n`);
  io.stdout.write(`${r.out}\n`);
  return 0;
}

/** Packs `dir` into the .tar.gz `out`, streaming. */
export async function packDirectory(
  dir: string,
  out: string,
  meta: PackMeta = {},
  o: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<PackResult> {
  const root = resolve(dir);
  const outAbs = resolve(out);
  const files = walk(root).filter((f) => f !== outAbs);
  const manifest = buildManifest(root, files, meta, o);
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  const entries: TarEntry[] = [{ name: 'manifest.json', size: manifestBytes.length, mtime: Math.floor(Date.now() / 1000), body: () => manifestBytes }];
  let count = 0;
  for (const f of files) {
    const name = relative(root, f).split(sep).join('/');
    if (name === 'manifest.json') continue; // merged into the generated one
    const st = statSync(f);
    entries.push(fileEntry(name, f, st.size, Math.floor(st.mtimeMs / 1000)));
    count++;
  }
  const bytes = await writeTarGz(entries, outAbs);
  return { out, bytes, files: count, manifest };
}

/** Regular files under `dir`, sorted by path; dot-files and dot-directories (.git) skipped, symlinks not followed. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...walk(path));
    else if (st.isFile()) out.push(path);
  }
  return out;
}

function buildManifest(root: string, files: string[], meta: PackMeta, o: { env?: Record<string, string | undefined>; cwd?: string }): Record<string, unknown> {
  let manifest: Record<string, unknown> = {};
  const existing = files.find((f) => relative(root, f) === 'manifest.json');
  if (existing) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(existing, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) manifest = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: replaced by the generated one.
    }
  }
  const git = gitInfo(root, o.env ?? {}) ?? gitInfo(o.cwd ?? process.cwd(), o.env ?? {}) ?? {};
  for (const key of ['repo', 'branch', 'commit'] as const) {
    const value = meta[key] ?? (manifest[key] as string | undefined) ?? git[key];
    if (value) manifest[key] = value;
  }
  if (manifest.goVersion === undefined) {
    const go = goVersion();
    if (go) manifest.goVersion = go;
  }
  return manifest;
}

/**
 * repo (owner/name of the origin remote), branch and commit of the git checkout `dir` is in; undefined
 * when it is in none (or git is missing). A detached HEAD (CI checkouts) takes the branch from the CI's
 * variables: GITHUB_HEAD_REF, GITHUB_REF_NAME, CI_COMMIT_REF_NAME.
 */
export function gitInfo(dir: string, env: Record<string, string | undefined> = {}): PackMeta | undefined {
  const commit = git(dir, ['rev-parse', '--verify', '-q', 'HEAD']);
  const inside = commit ?? git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (!inside) return undefined;
  const info: PackMeta = {};
  if (commit) info.commit = commit;
  const branch = git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']) ?? git(dir, ['symbolic-ref', '--short', 'HEAD']);
  const ci = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.CI_COMMIT_REF_NAME;
  if (branch && branch !== 'HEAD') info.branch = branch;
  else if (ci) info.branch = ci;
  const remote = git(dir, ['remote', 'get-url', 'origin']);
  const repo = remote ? repoFromRemote(remote) : undefined;
  if (repo) info.repo = repo;
  return info;
}

/**
 * `owner/name` from a remote URL: `git@github.com:acme/probe.git`, `https://github.com/acme/probe`,
 * `ssh://git@host:22/group/sub/name.git`, `https://user:pw@gitlab.example/group/name.git`.
 */
export function repoFromRemote(url: string): string | undefined {
  let path: string | undefined;
  const scp = /^[\w.-]+@[\w.-]+:(?!\/\/)(.+)$/.exec(url);
  if (scp) path = scp[1];
  else {
    try {
      path = new URL(url).pathname;
    } catch {
      path = url; // a local path
    }
  }
  const parts = (path ?? '')
    .replace(/\.git\/?$/, '')
    .split(/[\\/]/)
    .filter((p) => p && p !== '.' && p !== '..');
  if (parts.length < 2) return parts[0] && /^\w[\w.-]*$/.test(parts[0]) ? parts[0] : undefined;
  const repo = parts.slice(-2).join('/');
  return /^\w[\w.-]*\/\w[\w.-]*$/.test(repo) ? repo : undefined;
}

function goVersion(): string | undefined {
  try {
    const out = execFileSync('go', ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return /\b(go\d+(?:\.\d+)*\S*)/.exec(out.replace(/^go version /, ''))?.[1];
  } catch {
    return undefined;
  }
}

function git(dir: string, args: string[]): string | undefined {
  try {
    const out = execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

function definedMeta(v: { repo?: string | undefined; branch?: string | undefined; commit?: string | undefined }): PackMeta {
  const m: PackMeta = {};
  if (v.repo) m.repo = v.repo;
  if (v.branch) m.branch = v.branch;
  if (v.commit) m.commit = v.commit;
  return m;
}

function describe(m: Record<string, unknown>): string {
  const parts = ['repo', 'branch', 'commit', 'goVersion'].filter((k) => m[k]).map((k) => `${k} ${String(m[k])}`);
  return parts.length ? parts.join(', ') : 'no repo, branch or commit known';
}
