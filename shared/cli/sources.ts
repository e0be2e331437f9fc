import { createReadStream, statSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { AnalysisSource } from '../analyses/analyze.js';

/**
 * CLI paths → analysis sources: a file is an archive or a loose file; a directory contributes every
 * regular file under it (sorted, dot-files skipped), named by its path relative to the directory.
 */
export function sourcesFromPaths(paths: string[]): AnalysisSource[] {
  const sources: AnalysisSource[] = [];
  for (const path of paths) {
    const st = statSync(path); // throws ENOENT with the path in the message
    if (st.isDirectory()) {
      for (const file of walk(path)) sources.push(fileSource(file, relative(path, file)));
    } else sources.push(fileSource(path, basename(path), st.size));
  }
  return sources;
}

function fileSource(path: string, name: string, bytes = statSync(path).size): AnalysisSource {
  return { name, bytes, body: createReadStream(path, { highWaterMark: 1 << 20 }) };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...walk(path));
    else if (st.isFile()) out.push(path);
  }
  return out;
}
