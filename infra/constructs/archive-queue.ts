import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from './service-function.js';

/** Receives before a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 3;
/** AWS's guidance for SQS event sources: visibility timeout at least six times the function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** The dead-letter alarm's period. */
export const ALARM_PERIOD = Duration.minutes(5);

export interface ArchiveQueueProps {
  readonly bucket: IBucket;
  /** Only objects created under this key prefix are announced. */
  readonly prefix: string;
  /** The analyzer: consumes the queue and, to mark analyses failed, its dead-letter queue. */
  readonly consumer: LambdaFunction;
  /** The consumer's timeout; the queues' visibility timeouts are derived from it. */
  readonly consumerTimeout: Duration;
}

/**
 * S3 ObjectCreated under `prefix` → SQS (with a DLQ) → the consumer, one record per invocation. The
 * consumer reports failures per item (`SQSBatchResponse`), so a failed record is retried on its own and,
 * after `MAX_RECEIVE_COUNT` receives, parked in the DLQ; the archive itself is never touched.
 *
 * The consumer also reads the DLQ: it tells those records apart by their `eventSourceARN` (its
 * `DEAD_LETTER_QUEUE_ARN`) and marks the analysis `failed` with the reason instead of analyzing again.
 * Every message the DLQ hands out trips an alarm, so an operator hears of each analysis that gave up.
 */
export class ArchiveQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ArchiveQueueProps) {
    super(scope, id);
    // Lambda refuses an SQS event source whose visibility timeout is below the function's timeout; the
    // DLQ is consumed by the same function, so it gets the same margin as the main queue.
    const visibilityTimeout = Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(this.queue), {
      prefix: props.prefix,
    });
    acknowledgeNotificationsHandler(Stack.of(this));
    for (const queue of [this.queue, this.deadLetterQueue]) {
      props.consumer.addEventSource(
        new SqsEventSource(queue, {
          // One archive per invocation: an analysis may take minutes and several GB, and a timeout fails
          // the whole batch.
          batchSize: 1,
          reportBatchItemFailures: true,
        }),
      );
    }
    props.consumer.addEnvironment(ENV.deadLetterQueue, this.deadLetterQueue.queueArn);

    // Messages that reach the DLQ by redrive are not counted by NumberOfMessagesSent; every one of them is
    // received by the consumer, so NumberOfMessagesReceived counts them (and counts again each retry of
    // a record the consumer could not mark failed).
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        `An uploaded archive failed analysis ${MAX_RECEIVE_COUNT} times and reached the dead-letter queue; ` +
        'the analyzer marks its analysis failed (see its logs). The archive is kept.',
      metric: this.deadLetterQueue.metricNumberOfMessagesReceived({ period: ALARM_PERIOD, statistic: Stats.SUM }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

/**
 * `addEventNotification` makes CDK add its own singleton Lambda (`BucketNotificationsHandler…`) at the
 * stack's root, a custom resource that writes the bucket's notification configuration at deploy time.
 */
function acknowledgeNotificationsHandler(stack: Stack): void {
  const handlers = stack.node.children.filter((c) => c.node.id.startsWith('BucketNotificationsHandler'));
  for (const handler of handlers) {
    const role = handler.node.tryFindChild('Role') as IConstruct | undefined;
    if (!role) continue;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "The role of CDK's own BucketNotificationsHandler custom resource, which runs only during " +
        "deployments to set the bucket's event notifications. The managed policy lets it write its logs; " +
        'a hand-written replacement (`notificationsHandlerRole`) would need the same log actions on a ' +
        'wildcard log-group ARN, since that Lambda creates its own log group, so it would not be narrower.',
    });
  }
}
