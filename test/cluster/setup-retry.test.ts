/**
 * A node or archiver starting while JetStream elects leaders waits for it (src/cluster/setup-retry.ts),
 * on fake time: unanswered steps are tried again until they answer or the deadline passes; a
 * setting the user must fix ends the wait at once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JetStreamApiError } from '@nats-io/jetstream';
import { isTransientPlacementRefusal, retryJetStreamSetup } from '../../src/cluster/setup-retry.js';
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

  test('"no suitable peers for placement" (a cluster still forming) is waited out; other refusals are not transient', async () => {
    // the answer a meta leader gives before it has heard from enough peers to place R3 on
    const noPeers = new JetStreamApiError({ err_code: 10005, code: 500, description: 'no suitable peers for placement' });
    const inUse = new JetStreamApiError({ err_code: 10058, code: 400, description: 'stream name already in use with a different configuration' });
    assert.equal(isTransientPlacementRefusal(noPeers), true);
    assert.equal(isTransientPlacementRefusal(inUse), false);
    assert.equal(isTransientPlacementRefusal(new Error('no suitable peers for placement')), false);

    const clock = new ManualClock(0);
    let calls = 0;
    const done = retryJetStreamSetup(
      async () => {
        calls++;
        if (calls < 3) throw noPeers;
        return 'placed';
      },
      { clock, what: 'stream TICKVISOR', delayMs: 500 },
    );
    for (let k = 0; k < 10 && calls < 3; k++) {
      await turn();
      clock.advance(500);
    }
    assert.equal(await done, 'placed');
    assert.equal(calls, 3);
  });
});
