import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUSY_FROM, BUSY_FULL, batchDelayMs } from '../../src/ingest/batch-delay.js';

describe('batch delay from how busy the process is', () => {
  test('the base delay up to BUSY_FROM, the busy delay from BUSY_FULL, linear between', () => {
    assert.equal(batchDelayMs(2, 10, 0), 2);
    assert.equal(batchDelayMs(2, 10, BUSY_FROM), 2);
    assert.ok(Math.abs(batchDelayMs(2, 10, (BUSY_FROM + BUSY_FULL) / 2) - 6) < 1e-9);
    assert.equal(batchDelayMs(2, 10, BUSY_FULL), 10);
    assert.equal(batchDelayMs(2, 10, 1), 10);
  });

  test('never below the base delay: a busy delay configured shorter is ignored, and so is an unreadable busy figure', () => {
    assert.equal(batchDelayMs(20, 10, 1), 20);
    assert.equal(batchDelayMs(2, 10, Number.NaN), 2);
  });
});
