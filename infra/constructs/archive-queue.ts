import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Receives before a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 3;
/** AWS's guidance for SQS event sources: visibility timeout at least six times the function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface ArchiveQueueProps {
  readonly bucket: IBucket;
  /** Only objects created under this key prefix are announced. */
  readonly prefix: string;
  readonly consumer: IFunction;
  /** The consumer's timeout; the queue's visibility timeout is derived from it. */
  readonly consumerTimeout: Duration;
}

/**
 * S3 ObjectCreated under `prefix` → SQS (with a DLQ) → the consumer, one record per invocation. The
 * consumer reports failures per item (`SQSBatchResponse`), so a failed record is retried on its own and,
 * after `MAX_RECEIVE_COUNT` receives, parked in the DLQ; the archive itself is never touched.
 */
export class ArchiveQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ArchiveQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue), {
      prefix: props.prefix,
    });
    props.consumer.addEventSource(
      new SqsEventSource(this.queue, {
        // One archive per invocation: an analysis may take minutes and several GB, and a timeout fails
        // the whole batch.
        batchSize: 1,
        reportBatchItemFailures: true,
      }),
    );
  }
}
