import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../logger.js';

/**
 * The local stand-in for the S3 → SQS → Lambda path, with SQS's semantics where they matter:
 * - each message is delivered to the analyzer's entry point in the SQS event shape the Lambda receives,
 *   up to `concurrency` at a time (Lambda runs several invocations at once);
 * - a message the handler reports failed is redelivered after `retryDelayMs`; a delivery that has not
 *   finished after `visibilityTimeoutMs` is treated as lost (the Lambda died) and the message is
 *   delivered again — the late finisher's answer is then ignored, as SQS ignores a stale receipt handle;
 * - after `maxReceives` receives the message is dead-lettered: handed once to the handler again as a
 *   record of the dead-letter queue (eventSourceARN = deadLetterQueueArn), as the DLQ event source does.
 */
export interface LocalQueueOptions {
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  log: Logger;
  /** Like the DLQ's maxReceiveCount. Default 3. */
  maxReceives?: number;
  /** Delay before a redelivery after a reported failure. Default 1000 ms. */
  retryDelayMs?: number;
  /** A delivery still running after this long is presumed dead and the message delivered again. Default 16 min. */
  visibilityTimeoutMs?: number;
  /** Deliveries in flight at once. Default 2. */
  concurrency?: number;
  queueArn?: string;
  deadLetterQueueArn?: string;
  region?: string;
}

interface Message {
  id: string;
  body: string;
  sentAt: number;
  receives: number;
  /** The receipt of the current delivery; an older delivery's outcome is ignored. */
  receipt: number;
  done: boolean;
}

export class LocalQueue {
  private readonly queue: Message[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: LocalQueueOptions) {}

  get deadLetterQueueArn(): string {
    return this.o.deadLetterQueueArn ?? `arn:aws:sqs:${this.o.region ?? 'us-east-1'}:000000000000:tracelens-analyses-dlq`;
  }

  /** Enqueues a message body (an S3 event notification, or a re-analysis), JSON. */
  send(body: string): void {
    if (this.closed) return;
    this.queue.push({ id: randomUUID(), body, sentAt: Date.now(), receives: 0, receipt: 0, done: false });
    this.pump();
  }

  /** Resolves once no message is queued, waiting for a retry or visibility timeout, or being handled. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting and redelivering; waits (up to `graceMs`) for the deliveries in flight. */
  async close(graceMs = 10_000): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise<void>((r) => (timer = setTimeout(r, graceMs))),
    ]);
    clearTimeout(timer);
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.timers.size === 0 && this.inFlight.size === 0;
  }

  private pump(): void {
    if (this.closed) return;
    while (this.inFlight.size < (this.o.concurrency ?? 2) && this.queue.length > 0) {
      const m = this.queue.shift()!;
      // A delivery past its visibility timeout no longer counts against the concurrency (a Lambda that
      // timed out is gone), though its promise may still settle later.
      const lost = () => this.inFlight.delete(p);
      const p: Promise<void> = this.deliver(m, lost).finally(() => {
        this.inFlight.delete(p);
        this.pump();
      });
      this.inFlight.add(p);
    }
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((w) => w());
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
      this.pump();
    }, ms);
    this.timers.add(t);
  }

  private async deliver(m: Message, lost: () => void): Promise<void> {
    m.receives++;
    const receipt = ++m.receipt;
    // Visibility timeout: the delivery is presumed dead and the message comes back.
    const visibility = setTimeout(() => {
      this.timers.delete(visibility);
      if (m.done || m.receipt !== receipt || this.closed) return;
      this.o.log.warn('delivery did not finish within the visibility timeout; the message is delivered again', { messageId: m.id });
      lost();
      this.afterFailure(m);
      this.pump();
    }, this.o.visibilityTimeoutMs ?? 16 * 60 * 1000);
    this.timers.add(visibility);
    let failed: boolean;
    try {
      const res = await this.o.handler({ Records: [this.toRecord(m, this.o.queueArn ?? this.queueArn())] });
      failed = res.batchItemFailures.some((f) => f.itemIdentifier === m.id);
    } catch (err) {
      this.o.log.error('analyzer threw; the whole batch is redelivered', { error: String(err) });
      failed = true;
    }
    clearTimeout(visibility);
    this.timers.delete(visibility);
    if (m.done || m.receipt !== receipt || this.closed) return; // a stale delivery: its answer no longer counts
    if (!failed) {
      m.done = true;
      return;
    }
    this.afterFailure(m);
  }

  private afterFailure(m: Message): void {
    m.receipt++; // whatever the current delivery answers from now on is stale
    if (m.receives >= (this.o.maxReceives ?? 3)) {
      m.done = true;
      this.o.log.error('message dead-lettered after its last receive', { messageId: m.id, receives: m.receives });
      const p: Promise<void> = this.o
        .handler({ Records: [this.toRecord(m, this.deadLetterQueueArn)] })
        .then(
          () => undefined,
          (err) => this.o.log.error('dead-letter handling failed', { error: String(err) }),
        )
        .finally(() => {
          this.inFlight.delete(p);
          this.pump();
        });
      this.inFlight.add(p);
      return;
    }
    this.later(this.o.retryDelayMs ?? 1000, () => {
      if (!this.closed) this.queue.push(m);
    });
  }

  private queueArn(): string {
    return `arn:aws:sqs:${this.o.region ?? 'us-east-1'}:000000000000:tracelens-analyses`;
  }

  private toRecord(m: Message, sourceArn: string): SQSRecord {
    const region = this.o.region ?? 'us-east-1';
    return {
      messageId: m.id,
      receiptHandle: `${m.id}#${m.receipt}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receives),
        SentTimestamp: String(m.sentAt),
        SenderId: 'AIDAS3NOTIFICATIONS',
        ApproximateFirstReceiveTimestamp: String(m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: sourceArn,
      awsRegion: region,
    };
  }
}
