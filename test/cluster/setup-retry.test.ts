/**
 * A node or archiver starting while JetStream elects leaders waits for it (src/cluster/setup-retry.ts),
 * on fake time: unanswered steps are tried again until they answer or the deadline passes; a
 * setting the user must fix ends the wait at once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryJetStreamSetup } from '../../src/cluster/setup-retry.js';
import { TickvisorError } from '../../src/errors.js';
import { ManualClock } from '../../src/time/manual-clock.js';

/** lets the awaited step settle and the retry arm its timer */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('JetStream setup at startup', () => {
  test('a step that times out during an election is tried again until it answers', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const retries: number[] = [];
    const done = retryJetStreamSetup(
      async () => {
        calls++;
        if (clock.now() < 4_000) throw new Error('TIMEOUT');
        return 'ready';
      },
      { clock, what: 'stream TICKVISOR', delayMs: 500, deadlineMs: 60_000, onRetry: (_e, attempt) => retries.push(attempt) },
    );
    for (let k = 0; k < 20 && calls < 9; k++) {
      await turn();
      clock.advance(500);
    }
    assert.equal(await done, 'ready');
    assert.equal(calls, 9, 'tried at 0, 0.5 s, … 4 s');
    assert.deepEqual(retries, [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('a setting the user must fix is not waited on', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const refusal = new TickvisorError('TV_ERR_NATS_SETUP', 'stream TICKVISOR exists but does not take tickvisor.>');
    await assert.rejects(
      retryJetStreamSetup(async () => {
        calls++;
        throw refusal;
      }, { clock, what: 'stream TICKVISOR' }),
      (error: unknown) => error === refusal,
    );
    assert.equal(calls, 1);
  });

  test('past the deadline the wait ends in one line naming what was set up', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const done = retryJetStreamSetup(
      async () => {
        calls++;
        throw new Error('TIMEOUT\n    at stack');
      },
      { clock, what: 'KV bucket tickvisor-leases', delayMs: 1_000, deadlineMs: 5_000 },
    );
    const settled = done.then(
      () => assert.fail('resolved'),
      (error: unknown) => error,
    );
    for (let k = 0; k < 10; k++) {
      await turn();
      clock.advance(1_000);
    }
    const error = await settled;
    assert.ok(error instanceof TickvisorError);
    assert.equal(error.code, 'TV_ERR_NATS_JETSTREAM');
    assert.match(error.message, /^JetStream did not answer within 5 s while setting up KV bucket tickvisor-leases \(TIMEOUT\)/);
    assert.ok(!error.message.includes('\n'));
    assert.equal(calls, 5, 'tried at 0 … 4 s, not past the deadline');
  });
});
