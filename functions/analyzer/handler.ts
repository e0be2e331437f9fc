// Analyzer Lambda: SQS messages carrying S3 ObjectCreated events (or re-analyses) → analyses; failed
// messages are reported back (partial batch response) so SQS redelivers only those, then dead-letters
// them — and the DLQ's records, told apart by their source ARN, mark their analyses failed.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processDeadLetters, processMessages, type ProcessDeps } from '../../shared/analyzer/process-messages.js';
import { loadConfig } from '../../shared/config.js';
import { jsonLogger } from '../../shared/logger.js';
import { createStores } from '../../shared/storage/wiring.js';

export function createHandler(deps: ProcessDeps & { deadLetterQueueArn?: string }) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const isDead = (arn: string) => deps.deadLetterQueueArn !== undefined && arn === deps.deadLetterQueueArn;
    const live = event.Records.filter((r) => !isDead(r.eventSourceARN)).map((r) => ({ messageId: r.messageId, body: r.body }));
    const dead = event.Records.filter((r) => isDead(r.eventSourceARN)).map((r) => ({ messageId: r.messageId, body: r.body }));
    const failed = [...(await processMessages(live, deps)), ...(await processDeadLetters(dead, deps))];
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

let cold: ReturnType<typeof createHandler> | undefined;
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
  if (!cold) {
    const config = loadConfig(process.env);
    const { analyses, archives, idempotency } = createStores(config);
    cold = createHandler({
      analyses,
      archives,
      idempotency,
      limits: config.limits,
      log: jsonLogger(),
      ...(config.deadLetterQueueArn ? { deadLetterQueueArn: config.deadLetterQueueArn } : {}),
    });
  }
  return cold(event);
};
