#!/usr/bin/env node
// Runs every *.test.ts under shared/, functions/, infra/ and test/ with node's built-in test runner
// (tsx loads TypeScript). Extra arguments are passed through: `npm test -- --test-name-pattern=tar`.
// File filters: `npm test -- shared/parsers` runs only the test files under that path.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(import.meta.url), '../..');
const roots = ['shared', 'functions', 'infra', 'test'];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

/**
 * Runs the `files` (paths from the repository root) that the command line's filters name (any part of
 * the path; none: all), with node's test runner and tsx, passing the command line's flags through.
 * Exits with the runner's status; 1 when no file matches.
 */
export function runTests(files, { what = 'test', concurrency, env = {} }) {
  const args = process.argv.slice(2);
  const filters = args.filter((a) => !a.startsWith('-'));
  const flags = args.filter((a) => a.startsWith('-'));
  const chosen = files.filter((f) => filters.length === 0 || filters.some((p) => f.includes(p))).sort();
  if (chosen.length === 0) {
    console.error(`no ${what} files match ${filters.join(' ')}`);
    process.exit(1);
  }
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...flags, ...chosen], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1', ...env },
  });
  process.exit(res.status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runTests(roots.flatMap((r) => walk(join(root, r), [])), { concurrency: 2 });
}
