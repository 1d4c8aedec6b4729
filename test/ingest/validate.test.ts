import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLate, validateRecord, type RejectReason } from '../../src/ingest/validate.js';
import type { Ticker } from '../../src/records.js';
import { NOW, trade } from './helpers.js';

const ctx = { now: NOW, maxClockSkewMs: 60_000 };
const tick: Ticker = { type: 'ticker', exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', timestamp: NOW, localTimestamp: NOW, last: 26000, bid: 25999, bidSize: 0 };

describe('validateRecord', () => {
  test('accepts a well-formed trade and ticker', () => {
    assert.equal(validateRecord(trade(1), ctx), undefined);
    assert.equal(validateRecord(tick, ctx), undefined);
  });

  const cases: [string, unknown, RejectReason][] = [
    ['not an object', 'trade', 'schema'],
    ['null', null, 'schema'],
    ['unknown type', { ...trade(1), type: 'book' }, 'schema'],
    ['unknown exchange', { ...trade(1), exchange: 'kraken' }, 'schema'],
    ['unknown market', { ...trade(1), market: 'options' }, 'schema'],
    ['empty symbol', { ...trade(1), symbol: '' }, 'schema'],
    ['numeric id', { ...trade(1), id: 1 }, 'schema'],
    ['empty id', { ...trade(1), id: '' }, 'schema'],
    ['bad side', { ...trade(1), side: 'Buy' }, 'schema'],
    ['price as string', { ...trade(1), price: '100' }, 'schema'],
    ['missing amount', { ...trade(1), amount: undefined }, 'schema'],
    ['missing localTimestamp', { ...trade(1), localTimestamp: undefined }, 'schema'],
    ['ticker last as string', { ...tick, last: '1' }, 'schema'],
    ['ticker bid as string', { ...tick, bid: '1' }, 'schema'],
    ['price NaN', trade(1, { price: Number.NaN }), 'price'],
    ['price Infinity', trade(1, { price: Infinity }), 'price'],
    ['price 0', trade(1, { price: 0 }), 'price'],
    ['price negative', trade(1, { price: -1 }), 'price'],
    ['ticker last 0', { ...tick, last: 0 }, 'price'],
    ['ticker ask negative', { ...tick, ask: -5 }, 'price'],
    ['amount NaN', trade(1, { amount: Number.NaN }), 'amount'],
    ['amount 0', trade(1, { amount: 0 }), 'amount'],
    ['amount negative', trade(1, { amount: -0.1 }), 'amount'],
    ['ticker volume negative', { ...tick, volume24h: -1 }, 'amount'],
    ['timestamp NaN', trade(1, { timestamp: Number.NaN }), 'timestamp'],
    ['localTimestamp Infinity', trade(1, { localTimestamp: Infinity }), 'timestamp'],
    ['timestamp too far ahead', trade(1, { timestamp: NOW + 60_001 }), 'timestamp'],
    ['timestamp too far behind', trade(1, { timestamp: NOW - 60_001 }), 'timestamp'],
    ['timestamp in seconds, not ms', trade(1, { timestamp: NOW / 1000 }), 'timestamp'],
  ];
  for (const [name, record, reason] of cases) {
    test(`rejects ${name} as ${reason}`, () => assert.equal(validateRecord(record, ctx), reason));
  }

  test('a timestamp exactly at the skew bound is accepted', () => {
    assert.equal(validateRecord(trade(1, { timestamp: NOW + 60_000 }), ctx), undefined);
    assert.equal(validateRecord(trade(1, { timestamp: NOW - 60_000 }), ctx), undefined);
  });

  test('maxAgeMs widens only the past bound (backfill)', () => {
    const old = trade(1, { timestamp: NOW - 3_600_000 });
    assert.equal(validateRecord(old, { ...ctx, maxAgeMs: 86_400_000 }), undefined);
    assert.equal(validateRecord(trade(1, { timestamp: NOW + 120_000 }), { ...ctx, maxAgeMs: 86_400_000 }), 'timestamp');
  });

  test('clockAheadMs widens only the future bound, by the measured lead of the exchange clock', () => {
    const ahead = trade(1, { timestamp: NOW + 150_000 });
    assert.equal(validateRecord(ahead, ctx), 'timestamp');
    assert.equal(validateRecord(ahead, { ...ctx, clockAheadMs: 90_000 }), undefined);
    assert.equal(validateRecord(trade(1, { timestamp: NOW + 150_001 }), { ...ctx, clockAheadMs: 90_000 }), 'timestamp');
    assert.equal(validateRecord(trade(1, { timestamp: NOW - 60_001 }), { ...ctx, clockAheadMs: 90_000 }), 'timestamp');
  });

  test('isLate: more than maxClockSkewMs behind now', () => {
    assert.equal(isLate(trade(1, { timestamp: NOW - 60_000 }), ctx), false);
    assert.equal(isLate(trade(1, { timestamp: NOW - 60_001 }), ctx), true);
    assert.equal(isLate(trade(1, { timestamp: NOW + 1_000 }), ctx), false);
  });

  test('rejects a symbol outside knownSymbols, only when the set is given', () => {
    const known = new Set(['ETH/USDT']);
    assert.equal(validateRecord(trade(1), { ...ctx, knownSymbols: known }), 'symbol');
    assert.equal(validateRecord(trade(1, { symbol: 'ETH/USDT' }), { ...ctx, knownSymbols: known }), undefined);
  });
});
