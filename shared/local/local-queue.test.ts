import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SQSEvent } from 'aws-lambda';
import { silentLogger } from '../logger.js';
import { LocalQueue } from './local-queue.js';

describe('LocalQueue', () => {
  it('delivers SQS-shaped events, redelivers reported failures, and dead-letters after maxReceives', async () => {
    const seen: Array<{ body: string; receive: string }> = [];
    const dead: string[] = [];
    const queue = new LocalQueue({
      log: silentLogger,
      retryDelayMs: 5,
      maxReceives: 3,
      handler: async (event: SQSEvent) => {
        const r = event.Records[0]!;
        assert.equal(r.eventSource, 'aws:sqs');
        if (r.eventSourceARN === queue.deadLetterQueueArn) {
          dead.push(r.body);
          return { batchItemFailures: [] };
        }
        assert.match(r.md5OfBody, /^[0-9a-f]{32}$/);
        seen.push({ body: r.body, receive: r.attributes.ApproximateReceiveCount });
        // "ok" succeeds; "flaky" fails once; "bad" always fails.
        const fail = r.body === 'bad' || (r.body === 'flaky' && r.attributes.ApproximateReceiveCount === '1');
        return { batchItemFailures: fail ? [{ itemIdentifier: r.messageId }] : [] };
      },
    });
    queue.send('ok');
    queue.send('flaky');
    queue.send('bad');
    await queue.idle();
    const count = (b: string) => seen.filter((s) => s.body === b).map((s) => s.receive);
    assert.deepEqual(count('ok'), ['1']);
    assert.deepEqual(count('flaky'), ['1', '2']);
    assert.deepEqual(count('bad'), ['1', '2', '3']);
    assert.deepEqual(dead, ['bad'], 'the dead letter is handed to the handler once, as a DLQ record');
    await queue.close();
  });

  it('delivers again a message whose delivery outlives the visibility timeout, and ignores the late answer', async () => {
    const receives: string[] = [];
    let release: (() => void) | undefined;
    const queue = new LocalQueue({
      log: silentLogger,
      retryDelayMs: 1,
      visibilityTimeoutMs: 50,
      concurrency: 2,
      handler: async (event: SQSEvent) => {
        const r = event.Records[0]!;
        receives.push(r.attributes.ApproximateReceiveCount);
        if (r.attributes.ApproximateReceiveCount === '1') {
          // The first delivery hangs (a Lambda that died), then answers "failed" much later.
          await new Promise<void>((resolve) => (release = resolve));
          return { batchItemFailures: [{ itemIdentifier: r.messageId }] };
        }
        return { batchItemFailures: [] };
      },
    });
    queue.send('job');
    // Redelivered once the 50 ms visibility timeout passes (polled: a loaded CI machine may take longer).
    for (const t0 = Date.now(); receives.length < 2 && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(receives, ['1', '2']);
    release!();
    await queue.idle();
    assert.deepEqual(receives, ['1', '2'], 'the stale failure of delivery 1 causes no third delivery');
    await queue.close();
  });

  it('treats a handler that throws as a failed batch', async () => {
    let calls = 0;
    const queue = new LocalQueue({
      log: silentLogger,
      retryDelayMs: 1,
      maxReceives: 2,
      handler: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    queue.send('x');
    await queue.idle();
    assert.equal(calls, 3, 'two receives, then the dead-letter record');
  });
});
