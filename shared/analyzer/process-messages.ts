import type { Logger } from '../logger.js';
import { parseArchiveKey } from '../storage/keys.js';
import { objectsCreated, type QueueMessage } from './queue-messages.js';
import { runAnalysis, type AnalyzerDeps } from './run-analysis.js';

/**
 * One batch of queue messages → the ids of the messages to redeliver (SQS partial batch failure).
 * Messages that can never succeed (not JSON, not an archive key) are logged and dropped, not retried.
 */
export async function processMessages(messages: QueueMessage[], deps: AnalyzerDeps & { log: Logger }): Promise<string[]> {
  const failed: string[] = [];
  for (const message of messages) {
    try {
      for (const object of objectsCreated(message)) {
        const target = parseArchiveKey(object.key);
        if (!target) {
          deps.log.warn('object is not an archive; ignored', { key: object.key });
          continue;
        }
        await runAnalysis(deps, target.tenant, target.id);
      }
    } catch (err) {
      if (err instanceof Error && err.name === 'InvalidMessageError') {
        deps.log.error('invalid queue message dropped', { messageId: message.messageId, error: err.message });
        continue;
      }
      deps.log.error('message will be retried', {
        messageId: message.messageId,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
      failed.push(message.messageId);
    }
  }
  return failed;
}
