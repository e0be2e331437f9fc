#!/usr/bin/env node
// Runs the browser tests (e2e/*.e2e.ts) with node's test runner (tsx loads TypeScript). They drive the
// system's Chromium through playwright-core: CHROMIUM (default /usr/bin/chromium). File filters as in
// scripts/test.mjs: `npm run test:e2e -- report-page`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`e2e: no Chromium at ${chromium}; install it (Debian: apt-get install -y chromium) or set CHROMIUM`);
  process.exit(1);
}
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const files = readdirSync(join(root, 'e2e'))
  .filter((f) => f.endsWith('.e2e.ts'))
  .map((f) => `e2e/${f}`)
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no e2e files match ${filters.join(' ')}`);
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...flags, ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM: chromium, AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' },
});
process.exit(res.status ?? 1);
