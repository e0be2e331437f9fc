import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../logger.js';

/**
 * The local stand-in for the S3 → SQS → Lambda path: each message is delivered to the analyzer's
 * entry point in exactly the SQS event shape the Lambda receives, one at a time; messages the handler
 * reports as failed are redelivered after a delay, up to maxReceives, then dead-lettered (logged).
 */
export interface LocalQueueOptions {
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  log: Logger;
  /** Like the DLQ's maxReceiveCount. Default 3. */
  maxReceives?: number;
  /** Delay before a redelivery (the visibility timeout, shortened). Default 1000 ms. */
  retryDelayMs?: number;
  queueArn?: string;
  region?: string;
}

interface Pending {
  id: string;
  body: string;
  sentAt: number;
  receives: number;
}

export class LocalQueue {
  private readonly queue: Pending[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private running: Promise<void> | undefined;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: LocalQueueOptions) {}

  /** Enqueues a message body (for us: an S3 event notification, JSON). */
  send(body: string): void {
    if (this.closed) return;
    this.queue.push({ id: randomUUID(), body, sentAt: Date.now(), receives: 0 });
    this.pump();
  }

  /** Resolves once no message is queued, waiting for a retry, or being handled. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting and redelivering; waits for the message being handled. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    await this.running;
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.timers.size === 0 && !this.running;
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.queue.shift();
    if (!next) {
      if (this.isIdle()) this.idleWaiters.splice(0).forEach((w) => w());
      return;
    }
    this.running = this.deliver(next).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async deliver(m: Pending): Promise<void> {
    m.receives++;
    let failed: boolean;
    try {
      const res = await this.o.handler({ Records: [this.toRecord(m)] });
      failed = res.batchItemFailures.some((f) => f.itemIdentifier === m.id);
    } catch (err) {
      this.o.log.error('analyzer threw; the whole batch is redelivered', { error: String(err) });
      failed = true;
    }
    if (!failed) return;
    if (m.receives >= (this.o.maxReceives ?? 3)) {
      this.o.log.error('message dead-lettered after its last receive', { messageId: m.id, receives: m.receives });
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.queue.push(m);
      this.pump();
    }, this.o.retryDelayMs ?? 1000);
    this.timers.add(timer);
  }

  private toRecord(m: Pending): SQSRecord {
    const region = this.o.region ?? 'us-east-1';
    return {
      messageId: m.id,
      receiptHandle: `${m.id}#${m.receives}`,
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
      eventSourceARN: this.o.queueArn ?? `arn:aws:sqs:${region}:000000000000:tracelens-analyses`,
      awsRegion: region,
    };
  }
}
