// Analyzer Lambda: SQS messages carrying S3 ObjectCreated events → analyses; failed messages are
// reported back (partial batch response) so SQS redelivers only those, then dead-letters them.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processMessages } from '../../shared/analyzer/process-messages.js';
import type { AnalyzerDeps } from '../../shared/analyzer/run-analysis.js';
import { loadConfig } from '../../shared/config.js';
import { jsonLogger } from '../../shared/logger.js';
import { createStores } from '../../shared/storage/wiring.js';

export function createHandler(deps: AnalyzerDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const messages = event.Records.map((r) => ({ messageId: r.messageId, body: r.body }));
    const failed = await processMessages(messages, deps);
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

let cold: ReturnType<typeof createHandler> | undefined;
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
  if (!cold) {
    const config = loadConfig(process.env);
    const { analyses, archives } = createStores(config);
    cold = createHandler({ analyses, archives, limits: config.limits, log: jsonLogger() });
  }
  return cold(event);
};
