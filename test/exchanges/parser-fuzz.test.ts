/**
 * Mutated frames against every parser: the trade parser of each of the seven exchange × market
 * pairs and each venue's book frame parser. Seeded mutations of documented frames (a character
 * deleted, inserted, replaced or doubled, two swapped, the text cut short, a slice repeated)
 * stand in for what a broken proxy, a truncated read or a venue's bad day delivers.
 *
 * What must hold for every mutation:
 * - the parser returns, or throws MalformedFrameError: no other error, no hang;
 * - text that is not JSON is never read as data (the hand-written scanners of the fast paths
 *   take only what JSON.parse would);
 * - every trade it returns has a non-empty text id, finite price and amount, an integer
 *   timestamp; every book level is a finite [price, amount] pair.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bookVenue } from '../../src/books/venues.js';
import { createAdapter } from '../../src/exchanges/index.js';
import { MalformedFrameError } from '../../src/exchanges/types.js';
import { Prng } from '../../src/prng.js';
import type { MarketRecord } from '../../src/records.js';
import { LOCAL, VENUE_KITS, frameJson, type VenueKit } from './support/venue-kits.js';

const MUTATIONS_PER_FRAME = 1_000;
const ALPHABET = '{}[],:"\\ 0123456789.-+eEtrufalsn_xyzABCZ';

function mutate(text: string, rng: Prng): string {
  const at = rng.int(Math.max(1, text.length));
  const char = () => ALPHABET[rng.int(ALPHABET.length)] as string;
  switch (rng.int(7)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + char() + text.slice(at);
    case 2:
      return text.slice(0, at) + char() + text.slice(at + 1);
    case 3:
      return text.slice(0, at);
    case 4: {
      const other = rng.int(Math.max(1, text.length));
      const [a, b] = at < other ? [at, other] : [other, at];
      return text.slice(0, a) + (text[b] ?? '') + text.slice(a + 1, b) + (text[a] ?? '') + text.slice(b + 1);
    }
    case 5:
      return text.slice(0, at) + (text[at] ?? '') + text.slice(at);
    default: {
      const end = Math.min(text.length, at + 1 + rng.int(12));
      return text.slice(0, end) + text.slice(at, end) + text.slice(end);
    }
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** calls `read`; a throw must be MalformedFrameError; returns what it read, or undefined */
function readOrRefuse<T>(read: () => T, what: string): T | undefined {
  try {
    return read();
  } catch (error) {
    assert.ok(error instanceof MalformedFrameError, `${what}: threw ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`);
    return undefined;
  }
}

function checkTrade(r: MarketRecord, what: string): void {
  if (r.type !== 'trade') return;
  assert.ok(typeof r.id === 'string' && r.id.length > 0, `${what}: trade id ${JSON.stringify(r.id)}`);
  assert.ok(Number.isFinite(r.price) && Number.isFinite(r.amount), `${what}: price ${r.price}, amount ${r.amount}`);
  assert.ok(Number.isInteger(r.timestamp), `${what}: timestamp ${r.timestamp}`);
  assert.ok(r.side === 'buy' || r.side === 'sell', `${what}: side ${String(r.side)}`);
}

/** documented frames of a kit: a trade, a ticker, its controls; Binance's also in the combined-stream wrapper */
function seeds(kit: VenueKit): string[] {
  const trade = frameJson(kit.tradeFrame(kit.tradeEntry));
  const out = [trade, frameJson(kit.tickerFrame(kit.tickerEntry)), ...kit.controls.map((c) => c.frame)];
  if (kit.exchange === 'binance') out.push(`{"stream":"btcusdt@trade","data":${trade}}`);
  return out;
}

describe('trade parsers under mutated frames', () => {
  for (const kit of VENUE_KITS) {
    test(`${kit.name}: MalformedFrameError or sound records, never a record from text that is not JSON`, () => {
      const rng = new Prng(0x5eed + kit.name.length);
      const parser = createAdapter(kit.exchange, kit.market).createParser(kit.instruments);
      let refused = 0;
      let read = 0;
      for (const seed of seeds(kit)) {
        for (let k = 0; k < MUTATIONS_PER_FRAME; k++) {
          const text = mutate(k % 3 === 2 ? mutate(seed, rng) : seed, rng);
          const what = `${kit.name} ${JSON.stringify(text)}`;
          const frame = kit.binary ? Buffer.from(text, 'utf8') : text;
          const result = readOrRefuse(() => parser.parse(frame, LOCAL), what);
          if (result === undefined) {
            refused++;
            continue;
          }
          read++;
          if (!isJson(text)) assert.equal(result.records.length, 0, `${what}: records from text that is not JSON`);
          for (const r of result.records) checkTrade(r, what);
        }
      }
      // the mutations are mostly fatal, but not all: both outcomes were exercised
      assert.ok(refused > 0 && read > 0, `${kit.name}: ${refused} refused, ${read} read`);
    });
  }
});

/** documented book frames, one per venue that streams books */
const BOOK_SEEDS: { exchange: 'binance' | 'bybit' | 'okx' | 'upbit'; market: 'spot' | 'futures'; frames: string[] }[] = [
  {
    exchange: 'binance',
    market: 'spot',
    frames: [
      '{"e":"depthUpdate","E":1690000000123,"s":"BTCUSDT","U":157,"u":160,"b":[["26150.40","1.5"],["26150.30","0"]],"a":[["26150.50","2.25"]]}',
      '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1690000000123,"s":"BTCUSDT","U":157,"u":160,"b":[["26150.40","1.5"]],"a":[["26150.50","2.25"]]}}',
    ],
  },
  {
    exchange: 'binance',
    market: 'futures',
    frames: ['{"e":"depthUpdate","E":1690000000123,"T":1690000000120,"s":"BTCUSDT","U":157,"u":160,"pu":149,"b":[["26150.40","1.5"]],"a":[["26150.50","2.25"]]}'],
  },
  {
    exchange: 'bybit',
    market: 'futures',
    frames: ['{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1690000000123,"data":{"s":"BTCUSDT","b":[["26150.40","1.5"]],"a":[["26150.50","0"]],"u":400,"seq":7961638724},"cts":1690000000120}'],
  },
  {
    exchange: 'okx',
    market: 'spot',
    frames: ['{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[["26150.5","2.25","0","3"]],"bids":[["26150.4","1.5","0","2"]],"ts":"1690000000123","checksum":-855196043,"seqId":123456,"prevSeqId":123455}]}'],
  },
  {
    exchange: 'upbit',
    market: 'spot',
    frames: ['{"type":"orderbook","code":"KRW-BTC","timestamp":1690000000123,"total_ask_size":4.5,"total_bid_size":3.0,"orderbook_units":[{"ask_price":36000000,"bid_price":35990000,"ask_size":1.5,"bid_size":1.0}],"stream_type":"REALTIME","level":0}'],
  },
];

describe('book frame parsers under mutated frames', () => {
  for (const { exchange, market, frames } of BOOK_SEEDS) {
    test(`${exchange} ${market}: MalformedFrameError or finite levels, never a frame from text that is not JSON`, () => {
      const rng = new Prng(0xb00c + exchange.length);
      const parse = bookVenue(exchange, market).createFrameParser();
      let read = 0;
      for (const seed of frames) {
        assert.ok(parse(seed).length > 0, `${exchange} ${market}: the seed itself is a book frame`);
        for (let k = 0; k < MUTATIONS_PER_FRAME; k++) {
          const text = mutate(k % 3 === 2 ? mutate(seed, rng) : seed, rng);
          const what = `${exchange} ${market} book ${JSON.stringify(text)}`;
          const out = readOrRefuse(() => parse(text), what);
          if (out === undefined) continue;
          read++;
          if (!isJson(text)) assert.equal(out.length, 0, `${what}: a book frame from text that is not JSON`);
          for (const f of out) {
            for (const side of [f.bids, f.asks]) {
              for (const level of side ?? []) {
                assert.ok(Number.isFinite(level[0]) && Number.isFinite(level[1]), `${what}: level ${JSON.stringify(level)}`);
              }
            }
          }
        }
      }
      assert.ok(read > 0, `${exchange} ${market}: no mutation was read at all`);
    });
  }
});
