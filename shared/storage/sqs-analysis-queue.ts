import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AnalysisQueue } from './ports.js';
import { reanalysisMessage } from '../analyzer/queue-messages.js';

/** Re-analyses go on the archive queue itself, beside the S3 events, in a body of their own. */
export class SqsAnalysisQueue implements AnalysisQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueueReanalysis(job: { tenant: string; id: string; generation: number }): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: reanalysisMessage(job) }));
  }
}
