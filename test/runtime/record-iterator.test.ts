import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Subject } from 'rxjs';
import type { MarketRecord, Ticker, Trade } from '../../src/records.js';
import { iterate, iterateTickers, iterateTrades } from '../../src/runtime/record-iterator.js';

const trade = (id: string, symbol = 'BTC/USDT', exchange: Trade['exchange'] = 'binance'): Trade => ({
  type: 'trade', exchange, market: 'spot', symbol, id, price: 1, amount: 1, side: 'buy', timestamp: 1, localTimestamp: 1,
});
const ticker = (symbol: string): Ticker => ({ type: 'ticker', exchange: 'binance', market: 'spot', symbol, timestamp: 1, localTimestamp: 1, last: 1 });

describe('async iteration over the record stream', () => {
  test('yields matching trades in order, records pushed while the loop waits included, and ends when the stream completes', async () => {
    const records$ = new Subject<MarketRecord>();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const t of iterateTrades(records$, { exchange: 'binance', symbol: 'BTC/USDT' })) seen.push(t.id);
    })();
    records$.next(trade('1'));
    records$.next(ticker('BTC/USDT'));
    records$.next(trade('x', 'ETH/USDT'));
    records$.next(trade('y', 'BTC/USDT', 'okx'));
    await Promise.resolve();
    records$.next(trade('2'));
    records$.complete();
    await loop;
    assert.deepEqual(seen, ['1', '2']);
  });

  test('tickers() yields tickers only', async () => {
    const records$ = new Subject<MarketRecord>();
    const it = iterateTickers(records$);
    records$.next(trade('1'));
    records$.next(ticker('ETH/USDT'));
    records$.complete();
    const got: string[] = [];
    for await (const t of it) got.push(`${t.type}:${t.symbol}`);
    assert.deepEqual(got, ['ticker:ETH/USDT']);
  });

  test('a loop that falls behind loses the oldest records, never more than bufferSize held, and is told how many', async () => {
    const source$ = new Subject<number>();
    const it = iterate(source$, 3);
    for (let i = 1; i <= 10; i++) source$.next(i);
    source$.complete();
    const got: number[] = [];
    for await (const n of it) got.push(n);
    assert.deepEqual(got, [8, 9, 10]);
    assert.equal(it.dropped, 7);
  });

  test('breaking out of the loop unsubscribes from the stream', async () => {
    const records$ = new Subject<MarketRecord>();
    const it = iterateTrades(records$);
    assert.equal(records$.observed, true);
    records$.next(trade('1'));
    records$.next(trade('2'));
    for await (const t of it) {
      assert.equal(t.id, '1');
      break;
    }
    assert.equal(records$.observed, false);
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });

  test('an error on the stream is thrown by the loop after what was buffered', async () => {
    const source$ = new Subject<number>();
    const it = iterate(source$);
    source$.next(1);
    source$.error(new Error('boom'));
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const n of it) got.push(n);
    }, /boom/);
    assert.deepEqual(got, [1]);
  });

  test('a bad bufferSize is refused', () => {
    assert.throws(() => iterate(new Subject<number>(), 0), { code: 'TV_ERR_INVALID_ARGUMENT', message: /bufferSize must be a positive integer/ });
  });
});
