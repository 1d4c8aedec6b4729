import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closestListed, editDistance, resolveSymbols, unknownSymbolLine, type ListedName } from '../../src/symbols/resolve-symbols.js';
import { unifiedSpelling } from '../../src/symbols/native-spelling.js';

// listings as each adapter maps them: unified symbol + the venue's own id
const LISTINGS: Record<string, ListedName[]> = {
  'binance:spot': [
    { symbol: 'BTC/USDT', nativeId: 'BTCUSDT' },
    { symbol: 'ETH/USDT', nativeId: 'ETHUSDT' },
    { symbol: 'ETH/BTC', nativeId: 'ETHBTC' },
  ],
  'binance:futures': [
    { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT' },
    { symbol: 'ETH/USDT:USDT', nativeId: 'ETHUSDT' },
  ],
  'upbit:spot': [
    { symbol: 'BTC/KRW', nativeId: 'KRW-BTC' },
    { symbol: 'ETH/KRW', nativeId: 'KRW-ETH' },
    { symbol: 'ETH/BTC', nativeId: 'BTC-ETH' },
  ],
  'okx:spot': [
    { symbol: 'BTC/USDT', nativeId: 'BTC-USDT' },
    { symbol: 'ETH/USDT', nativeId: 'ETH-USDT' },
  ],
  'okx:futures': [
    { symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP' },
    { symbol: 'ETH/USDT:USDT', nativeId: 'ETH-USDT-SWAP' },
  ],
  'bybit:futures': [
    { symbol: 'BTC/USDT:USDT', nativeId: 'BTCUSDT' },
    { symbol: 'SOL/USDT:USDT', nativeId: 'SOLUSDT' },
  ],
};

describe('configured symbols against a listing', () => {
  const cases: Array<[venue: string, given: string, symbol: string]> = [
    ['binance:spot', 'BTCUSDT', 'BTC/USDT'],
    ['binance:spot', 'ethbtc', 'ETH/BTC'],
    ['binance:futures', 'BTCUSDT', 'BTC/USDT:USDT'],
    ['binance:futures', 'ETH/USDT', 'ETH/USDT:USDT'],
    ['upbit:spot', 'KRW-BTC', 'BTC/KRW'],
    ['upbit:spot', 'BTC-ETH', 'ETH/BTC'],
    ['okx:spot', 'BTC-USDT', 'BTC/USDT'],
    ['okx:futures', 'BTC-USDT-SWAP', 'BTC/USDT:USDT'],
    ['bybit:futures', 'SOLUSDT', 'SOL/USDT:USDT'],
  ];
  for (const [venue, given, symbol] of cases) {
    test(`${venue}: '${given}' is mapped to ${symbol}`, () => {
      const r = resolveSymbols([given], LISTINGS[venue]!);
      assert.deepEqual(r.symbols, [symbol]);
      assert.deepEqual(r.mapped, [{ given, symbol }]);
      assert.deepEqual(r.unknown, []);
    });
  }

  test('the unified spelling is taken as is, with no notice; repeats collapse', () => {
    const r = resolveSymbols(['BTC/USDT', 'BTCUSDT'], LISTINGS['binance:spot']!);
    assert.deepEqual(r.symbols, ['BTC/USDT']);
    assert.deepEqual(r.mapped, [{ given: 'BTCUSDT', symbol: 'BTC/USDT' }]);
  });

  test('a symbol the venue does not list is unknown, with the nearest listed names', () => {
    const r = resolveSymbols(['BTCUSDT', 'NOPE/USDT', 'ETH/USD'], LISTINGS['binance:spot']!);
    assert.deepEqual(r.symbols, ['BTC/USDT']);
    assert.deepEqual(r.unknown.map((u) => u.given), ['NOPE/USDT', 'ETH/USD']);
    // the same base first
    assert.equal(r.unknown[1]!.closest[0], 'ETH/USDT');
    assert.equal(r.unknown[1]!.closest.length, 3);
    assert.equal(
      unknownSymbolLine(r.unknown[1]!, 'binance:spot'),
      `binance:spot does not list symbol 'ETH/USD'; closest listed: ${r.unknown[1]!.closest.join(', ')}`,
    );
    assert.ok(!unknownSymbolLine(r.unknown[0]!, 'binance:spot').includes('\n'));
  });

  test('a spot pair on a venue whose listing is the perpetual only is not confused with another', () => {
    // Upbit lists no USDT pairs: BTCUSDT is not a spelling of anything there
    const r = resolveSymbols(['BTCUSDT'], LISTINGS['upbit:spot']!);
    assert.deepEqual(r.symbols, []);
    assert.equal(r.unknown[0]!.closest[0], 'BTC/KRW');
  });

  test('closest matches by edit distance and base', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.deepEqual(closestListed('SOLUSD', LISTINGS['bybit:futures']!, 1), ['SOL/USDT:USDT']);
    assert.deepEqual(closestListed('X/Y', [], 3), []);
  });
});

describe('a symbol as written → the unified symbol the simulator lists', () => {
  const cases: Array<[exchange: 'binance' | 'upbit' | 'okx' | 'bybit', market: 'spot' | 'futures', given: string, want: string | undefined]> = [
    ['binance', 'spot', 'BTCUSDT', 'BTC/USDT'],
    ['binance', 'spot', 'btc/usdt', 'BTC/USDT'],
    ['binance', 'futures', 'BTCUSDT', 'BTC/USDT:USDT'],
    ['binance', 'futures', 'BTC/USDT', 'BTC/USDT:USDT'],
    ['upbit', 'spot', 'KRW-BTC', 'BTC/KRW'],
    ['okx', 'spot', 'BTC-USDT', 'BTC/USDT'],
    ['okx', 'futures', 'BTC-USDT-SWAP', 'BTC/USDT:USDT'],
    ['okx', 'spot', 'BTC-USDT-SWAP', undefined],
    ['bybit', 'futures', 'ETHUSDT', 'ETH/USDT:USDT'],
    ['binance', 'spot', 'NOPE', undefined],
    ['binance', 'spot', 'BTC/USDT:USDT', undefined],
  ];
  for (const [exchange, market, given, want] of cases) {
    test(`${exchange}:${market} '${given}' → ${want ?? 'none'}`, () => assert.equal(unifiedSpelling(exchange, market, given), want));
  }
});
