#!/usr/bin/env node
// Runs the browser tests (e2e/*.e2e.ts) with node's test runner (tsx loads TypeScript). They drive the
// system's Chromium through playwright-core: CHROMIUM (default /usr/bin/chromium). File filters as in
// scripts/test.mjs: `npm run test:e2e -- report-page`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, runTests } from './test.mjs';

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`e2e: no Chromium at ${chromium}; install it (Debian: apt-get install -y chromium) or set CHROMIUM`);
  process.exit(1);
}
const files = readdirSync(join(root, 'e2e'))
  .filter((f) => f.endsWith('.e2e.ts'))
  .map((f) => `e2e/${f}`);
runTests(files, { what: 'e2e', concurrency: 1, env: { CHROMIUM: chromium } });
