import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openAuditPositions } from '../../src/store/audit-positions.js';
import { openHistoryStore } from '../../src/store/index.js';
import { tempDir } from './helpers.js';

test('audit positions survive closing and reopening the store, per venue, the latest per symbol', async (t) => {
  const path = tempDir(t);
  const errors: unknown[] = [];
  const first = openHistoryStore({ path });
  const positions = openAuditPositions(first.env, (e) => errors.push(e));
  positions.save('okx', 'spot', 'BTC/USDT', 1_000);
  positions.save('okx', 'spot', 'BTC/USDT', 2_000);
  positions.save('okx', 'spot', 'ETH/USDT', 1_500);
  positions.save('okx', 'futures', 'BTC/USDT:USDT', 9_000);
  positions.save('upbit', 'spot', 'BTC/KRW', 7_000);
  await first.close();
  // a save after close is reported, never thrown
  positions.save('okx', 'spot', 'BTC/USDT', 3_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(errors.length, 1);

  const again = openHistoryStore({ path });
  const reopened = openAuditPositions(again.env);
  assert.deepEqual([...reopened.load('okx', 'spot')].sort(), [['BTC/USDT', 2_000], ['ETH/USDT', 1_500]]);
  assert.deepEqual([...reopened.load('okx', 'futures')], [['BTC/USDT:USDT', 9_000]]);
  assert.deepEqual([...reopened.load('bybit', 'spot')], []);
  await again.close();
});
