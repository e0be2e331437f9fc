import { createReadStream } from 'node:fs';
import { analyze } from '../../shared/analyses/analyze.js';
import type { Artifacts } from '../../shared/analyses/collector.js';
import { SCHEMA_VERSION, type AnalysisResult, type Report } from '../../shared/model/report.js';

/** A complete Report around an analysis result, with fixed metadata (renderer tests). */
export function reportOf(result: AnalysisResult, over: Partial<Report> = {}): Report {
  return {
    schemaVersion: SCHEMA_VERSION,
    id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    repo: 'acme/mapstress',
    branch: 'main',
    commit: '3f2c9e1d0b8a7f6e5d4c3b2a1908f7e6d5c4b3a2',
    labels: { ci: 'nightly' },
    status: 'complete',
    createdAt: '2025-01-02T03:04:05.000Z',
    startedAt: '2025-01-02T03:04:06.000Z',
    completedAt: '2025-01-02T03:04:09.000Z',
    ...result,
    ...over,
  };
}

/** The real analysis of a sample archive (examples/*.tar.gz), as the analyzer makes it. */
export async function analysedSample(path: string): Promise<AnalysisResult> {
  return (await analysedSampleWithArtifacts(path)).result;
}

/** The same, with the artifacts served beside the report (folded stacks, the timeline's operations). */
export async function analysedSampleWithArtifacts(path: string): Promise<{ result: AnalysisResult; artifacts: Artifacts }> {
  const { result, artifacts, error } = await analyze([{ name: path.split('/').pop()!, body: createReadStream(path) }]);
  if (error) throw error;
  return { result, artifacts };
}
