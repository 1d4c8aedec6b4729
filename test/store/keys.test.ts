import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as lmdb from 'lmdb';
import type { Key } from 'lmdb';
import type { Trade } from '../../src/records.js';
import { idPart, tradeKey, TradeKeyWriter } from '../../src/store/keys.js';

/** lmdb-js's own key encoder (ordered-binary toBufferKey), exported but not in its .d.ts */
const encodeKey = (lmdb as unknown as { keyValueToBuffer: (key: Key) => Uint8Array }).keyValueToBuffer;

function trade(over: Partial<Trade>): Trade {
  return {
    type: 'trade', exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', id: '1',
    price: 1, amount: 1, side: 'buy', timestamp: 1_700_000_000_000, localTimestamp: 1_700_000_000_001, ...over,
  };
}

describe('trade keys written as bytes', () => {
  test('are byte for byte what ordered-binary makes of the array key, so stored data reads the same', () => {
    const writer = new TradeKeyWriter();
    const ids = ['0', '1', '9', '10', '28457001', '999999999999999', '4294967295', '4294967296', '123456789012'];
    const timestamps = [0, 1, 1_700_000_000_000, 1_700_000_000_000.5, 2 ** 52, 1.5, 15, 16, -1, -1_700_000_000_000];
    const names: [Trade['exchange'], Trade['market'], string][] = [
      ['binance', 'spot', 'BTC/USDT'], ['okx', 'futures', 'BTC/USDT:USDT'], ['upbit', 'spot', 'BTC/KRW'], ['bybit', 'spot', 'ÄÖÜ/USDT'],
    ];
    let compared = 0;
    for (const [exchange, market, symbol] of names) {
      for (const id of ids) {
        for (const timestamp of timestamps) {
          const t = trade({ exchange, market, symbol, id, timestamp });
          const bytes = writer.write(t, idPart(t.id));
          assert.ok(bytes, `${symbol} ${id} has a byte key`);
          assert.deepEqual(Buffer.from(bytes), Buffer.from(encodeKey(tradeKey(t))), `${symbol} ${timestamp} ${id}`);
          compared++;
        }
      }
    }
    assert.equal(compared, names.length * ids.length * timestamps.length);
  });

  test('leave string ids and names ordered-binary would escape to the array key', () => {
    const writer = new TradeKeyWriter();
    const uuid = trade({ id: 'a1b2c3d4-0000-4000-8000-000000000000' });
    assert.equal(writer.write(uuid, idPart(uuid.id)), undefined);
    const leadingZero = trade({ id: '007' });
    assert.equal(writer.write(leadingZero, idPart(leadingZero.id)), undefined);
    const odd = trade({ symbol: '\u0003ODD/USDT' });
    assert.equal(writer.write(odd, idPart(odd.id)), undefined);
    const long = trade({ symbol: `${'X'.repeat(70)}/USDT` });
    assert.equal(writer.write(long, idPart(long.id)), undefined);
  });
});
