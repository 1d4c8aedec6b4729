/** The interim plain codec and the block header every codec shares; a bad block is a coded error, not a crash. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { blockRowCount, PLAIN_CODEC_ID, readBlockHeader, writeBlockHeader } from '../../src/store/blocks/block-header.js';
import { decodeTickerBlock, decodeTradeBlock } from '../../src/store/blocks/codecs.js';
import { plainTickerCodec, plainTradeCodec } from '../../src/store/blocks/plain-codec.js';
import { tickerColumnsFrom, tickerRecordAt } from '../../src/store/blocks/ticker-rows.js';
import { tradeColumnsFrom, tradeRecordAt } from '../../src/store/blocks/trade-rows.js';
import { ticker, trade } from './helpers.js';

describe('plain block codec', () => {
  test('trades round-trip bit for bit, numeric and string ids alike, and the header counts the rows', () => {
    for (const ids of [['1', '2', '999999999999999'], ['c0ffee00-1111-4222-8333-444455556666', '17651234567890993', '007']]) {
      const trades = ids.map((id, i) => trade(id, 1_700_000_000_000.5 + i, { price: 0.1 + 0.2, amount: 1e-8 * (i + 1), side: i % 2 ? 'sell' : 'buy' }));
      const bytes = plainTradeCodec.encode(tradeColumnsFrom(trades));
      assert.equal(bytes[0], PLAIN_CODEC_ID);
      assert.equal(blockRowCount(bytes), trades.length);
      const back = decodeTradeBlock(bytes);
      assert.deepEqual(trades.map((_, i) => tradeRecordAt(back, i, 'binance', 'spot', 'BTC/USDT')), trades);
    }
  });

  test('tickers keep absent optional fields absent and present ones exact', () => {
    const tickers = [ticker(1, { bid: 1.5, volume24h: 3 }), ticker(2), ticker(3, { quoteVolume24h: 1e12, ask: 2.25 })];
    const back = decodeTickerBlock(plainTickerCodec.encode(tickerColumnsFrom(tickers)));
    assert.deepEqual(tickers.map((_, i) => tickerRecordAt(back, i, 'binance', 'spot', 'BTC/USDT')), tickers);
  });

  test('row counts past one LEB128 byte, and truncated or unknown blocks are TV_ERR_STORE_CORRUPT_VALUE', () => {
    const head = new Uint8Array(8);
    const end = writeBlockHeader(head, 2, 300_000);
    assert.deepEqual(readBlockHeader(head.subarray(0, end)), { codecId: 2, rows: 300_000, offset: end });
    const bytes = plainTradeCodec.encode(tradeColumnsFrom([trade('1', 1), trade('2', 2)]));
    assert.throws(() => decodeTradeBlock(bytes.subarray(0, bytes.length - 3)), { code: 'TV_ERR_STORE_CORRUPT_VALUE' });
    assert.throws(() => decodeTradeBlock(new Uint8Array([99, 1, 0])), { code: 'TV_ERR_STORE_CORRUPT_VALUE' });
    assert.throws(() => decodeTradeBlock(new Uint8Array([])), { code: 'TV_ERR_STORE_CORRUPT_VALUE' });
  });
});
