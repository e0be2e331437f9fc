import { emptyResult, SCHEMA_VERSION, type Report } from '../model/report.js';
import type { AnalysisRecord } from '../storage/ports.js';

/** The report (SPEC §4) of a stored analysis, in any state: sections are empty until it completes. */
export function toReport(record: AnalysisRecord): Report {
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    id: record.id,
    labels: record.labels ?? {},
    status: record.status,
    createdAt: record.createdAt,
    ...(record.repo !== undefined ? { repo: record.repo } : {}),
    ...(record.branch !== undefined ? { branch: record.branch } : {}),
    ...(record.commit !== undefined ? { commit: record.commit } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.startedAt !== undefined ? { startedAt: record.startedAt } : {}),
    ...(record.completedAt !== undefined ? { completedAt: record.completedAt } : {}),
    ...(record.progress !== undefined && record.status === 'running' ? { progress: record.progress } : {}),
    ...(record.result ?? emptyResult()),
  };
  return report;
}

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
