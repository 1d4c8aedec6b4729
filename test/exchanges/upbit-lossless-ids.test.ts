/**
 * Upbit's sequential_id has 17 digits since 2024 (`17883351803770004`), above 2^53: JSON.parse
 * rounds it (…004 and …005 become one number). A trade id must survive the WebSocket parse, the
 * REST backfill, the store and the query byte for byte, and neighbouring ids must stay distinct.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { upbitAdapter } from '../../src/exchanges/upbit/index.js';
import type { Instrument, RestClient } from '../../src/exchanges/types.js';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
import { collect, tempDir } from '../store/helpers.js';

const LOCAL = 1_788_335_181_000;
const TS = 1_788_335_180_377;
const BTC: Instrument = { symbol: 'BTC/KRW', nativeId: 'KRW-BTC', base: 'BTC', quote: 'KRW', active: true };

/** the shape of a live frame (conformance line 9), with its id written as a bare JSON number */
function wsFrame(id: string, ts: number): Buffer {
  return Buffer.from(
    `{"type":"trade","code":"KRW-BTC","timestamp":${ts + 46},"trade_date":"2026-09-02","trade_time":"07:46:20","trade_timestamp":${ts},` +
      `"trade_price":106691000.00000000,"trade_volume":0.00009372,"ask_bid":"ASK","prev_closing_price":107005000.00000000,"change":"FALL",` +
      `"change_price":314000.00000000,"sequential_id":${id},"best_ask_price":106705000,"best_ask_size":0.00906333,"best_bid_price":106691000,` +
      `"best_bid_size":0.00702247,"stream_type":"REALTIME"}`,
  );
}

/** a trades/ticks row, newest first in a page, as the venue writes it */
const restRow = (id: string, ts: number) =>
  `{"market":"KRW-BTC","trade_date_utc":"2026-09-02","trade_time_utc":"07:46:20","timestamp":${ts},"trade_price":106691000.0,` +
  `"trade_volume":0.0001,"prev_closing_price":107005000.0,"change_price":-314000.0,"ask_bid":"BID","sequential_id":${id}}`;

/** A RestClient serving one page (then empty pages) the way createRestClient answers: parsed body and its text. */
function restServing(rowsNewestFirst: string[]): RestClient {
  let served = false;
  return async () => {
    const text = served ? '[]' : `[${rowsNewestFirst.join(',')}]`;
    served = true;
    return { status: 200, headers: {}, body: JSON.parse(text) as unknown, text };
  };
}

describe('upbit: 17-digit sequential_ids are kept exactly, from the wire to the query', () => {
  const ids = ['17883351803770003', '17883351803770004', '17883351803770005', '17883351803770006'];

  test('the premise: JSON.parse makes neighbouring ids one number', () => {
    assert.equal(JSON.parse(ids[1]!), JSON.parse(ids[2]!));
  });

  test('WebSocket parse, REST backfill, store and query keep every digit; neighbours stay distinct', async (t) => {
    const adapter = upbitAdapter('spot');
    const parser = adapter.createParser([BTC]);
    // live: …004 and …005, in the same millisecond
    const live = [ids[1]!, ids[2]!].map((id) => parser.parse(wsFrame(id, TS), LOCAL).records[0] as Trade);
    assert.deepEqual(live.map((r) => r.id), [ids[1], ids[2]]);

    // backfill of the window before …004: the page holds …006 … …003 (newest first), …004 again included
    const page = [restRow(ids[3]!, TS), restRow(ids[2]!, TS), restRow(ids[1]!, TS), restRow(ids[0]!, TS - 1)];
    const result = await adapter.backfillTrades(restServing(page), { instrument: BTC, from: TS - 1000, to: TS, untilId: ids[1] }, 'http://upbit.test/v1');
    assert.deepEqual(result.trades.map((r) => r.id), [ids[0], ids[1]]);

    const store = openHistoryStore({ path: tempDir(t), noSync: true });
    try {
      assert.deepEqual(await store.writeBatch(live), { written: 2, duplicates: 0 });
      // …004 comes again from REST: the same trade, refused; …003 is new
      assert.deepEqual(await store.writeBatch(result.trades), { written: 1, duplicates: 1 });
      const stored = (await collect(store.readRange({ exchange: 'upbit', market: 'spot', symbol: 'BTC/KRW', type: 'trade' }))) as Trade[];
      assert.deepEqual(stored.map((r) => r.id), [ids[0], ids[1], ids[2]]);
      assert.equal(new Set(stored.map((r) => r.id)).size, 3);
      assert.equal(store.readCursor('upbit', 'spot', 'BTC/KRW')?.lastTradeId, ids[2]);
    } finally {
      await store.close();
    }
  });

  test('a REST answer without its text cannot give a rounded id: the row is unreadable, not renamed', async () => {
    const adapter = upbitAdapter('spot');
    const text = `[${restRow(ids[2]!, TS)}]`;
    const noText: RestClient = async () => ({ status: 200, headers: {}, body: JSON.parse(text) as unknown });
    await assert.rejects(adapter.backfillTrades(noText, { instrument: BTC, from: TS - 1000, to: TS }, 'http://upbit.test/v1'), /sequential_id/);
  });
});
