import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAdapter } from '../../src/exchanges/index.js';

describe('Binance subscribe refusals', () => {
  const parser = createAdapter('binance', 'spot').createParser([]);
  test('the flat and the nested error answer both refuse the request id (the whole request)', () => {
    for (const frame of [
      '{"code":2,"msg":"Invalid request: invalid stream","id":7}',
      '{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":7}',
    ]) {
      assert.deepEqual(parser.parse(frame, 0).control, [{ kind: 'rejected', requestId: '7', reason: 'code 2: Invalid request: invalid stream' }]);
    }
  });
});
