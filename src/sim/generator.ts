/**
 * Per-symbol market state and the random walk that produces trades and tickers.
 * Pure apart from the injected PRNG: the same seed and call sequence give the same market.
 * Prices and amounts are rounded through their decimal strings, so the number a client parses
 * from the wire is exactly the number in the ledger.
 */
import type { SimBook } from './book/sim-book.js';
import { SymbolLedger } from './ledger.js';
import type { Prng } from '../prng.js';
import { TruthLog } from './truth-log.js';
import type { SimSymbolOptions } from './types.js';

export interface SymbolState {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly settle?: string;
  /** the venue's id: BTCUSDT, BTC-USDT-SWAP, KRW-BTC */
  readonly nativeId: string;
  status: 'trading' | 'halted';
  /** false once delisted by setSymbols (kept for the ledger, gone from listings) */
  listed: boolean;
  tradesPerSecond: number;
  tickersPerSecond: number;
  price: number;
  /** price as an integer number of ticks: price = priceTicks / priceScale, exact like parsing its string */
  priceTicks: number;
  readonly priceScale: number;
  readonly amountScale: number;
  readonly priceDecimals: number;
  readonly amountDecimals: number;
  /** base units per contract where the venue quotes contracts (OKX SWAP) */
  contractSize?: number;
  nextSeq: number;
  /** Binance futures: next underlying fill id (`f`) */
  nextFill: number;
  tradeCarry: number;
  tickerCarry: number;
  readonly openPrice: number;
  high: number;
  low: number;
  volume: number;
  quoteVolume: number;
  count: number;
  readonly openTime: number;
  bidSize: number;
  askSize: number;
  lastTradeTs: number;
  lastQty: number;
  /** what the REST history serves: bounded */
  readonly ledger: SymbolLedger;
  /** every trade id, for a scripted run's comparison (only when the simulator keeps the truth) */
  readonly truth: TruthLog | undefined;
  /**
   * `nextSeq` at each acknowledgement of a trade subscription of this symbol, ascending: the
   * first is where the client's responsibility begins; the later ones are resubscriptions.
   */
  readonly acks: number[];
  /** the generation clock at the first acknowledgement */
  firstAckTime: number | undefined;
  /** the symbol's true order book, once a client asked for it (sim/book/sim-book.ts) */
  book?: SimBook;
}

export interface GeneratedFields {
  price: number;
  amount: number;
  side: 'buy' | 'sell';
  /** integer lots behind amount (contracts where contractSize is set) */
  lots: number;
}

const BASE_PRICES: Record<string, number> = { BTC: 30000, ETH: 2000, SOL: 100, BNB: 300, XRP: 0.5, DOGE: 0.07, ADA: 0.3 };
const QUOTE_RATES: Record<string, number> = { KRW: 1350, BTC: 1 / 30000, ETH: 1 / 2000 };

export function parseUnified(symbol: string): { base: string; quote: string; settle?: string } {
  const [pair, settle] = symbol.split(':');
  const [base, quote] = (pair ?? '').split('/');
  if (!base || !quote) throw new RangeError(`not a unified symbol: ${symbol}`);
  return settle ? { base, quote, settle } : { base, quote };
}

function decimalsFor(price: number, quote: string): { priceDecimals: number; amountDecimals: number } {
  if (quote === 'KRW') return { priceDecimals: price >= 1000 ? 0 : 2, amountDecimals: 8 };
  if (price >= 10000) return { priceDecimals: 1, amountDecimals: 5 };
  if (price >= 100) return { priceDecimals: 2, amountDecimals: 3 };
  if (price >= 1) return { priceDecimals: 4, amountDecimals: 2 };
  return { priceDecimals: 6, amountDecimals: 0 };
}

export function round(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

export function createSymbolState(
  opts: SimSymbolOptions,
  nativeId: string,
  now: number,
  ledgerLimit: number,
  keepTruth = false,
): SymbolState {
  const parsed = parseUnified(opts.symbol);
  const quoteRate = QUOTE_RATES[parsed.quote] ?? 1;
  const start = opts.price ?? (BASE_PRICES[parsed.base] ?? 10) * quoteRate;
  const { priceDecimals, amountDecimals } = decimalsFor(start, parsed.quote);
  const price = Math.max(round(start, priceDecimals), 10 ** -priceDecimals);
  return {
    symbol: opts.symbol,
    ...parsed,
    nativeId,
    status: opts.status ?? 'trading',
    listed: true,
    tradesPerSecond: opts.tradesPerSecond ?? 10,
    tickersPerSecond: opts.tickersPerSecond ?? 1,
    price,
    priceTicks: Math.round(price * 10 ** priceDecimals),
    priceScale: 10 ** priceDecimals,
    amountScale: 10 ** amountDecimals,
    priceDecimals,
    amountDecimals,
    nextSeq: 0,
    nextFill: 1,
    tradeCarry: 0,
    tickerCarry: 0,
    openPrice: price,
    high: price,
    low: price,
    volume: 0,
    quoteVolume: 0,
    count: 0,
    openTime: now - 24 * 60 * 60 * 1000,
    bidSize: 1,
    askSize: 1,
    lastTradeTs: now,
    lastQty: 0,
    ledger: new SymbolLedger(ledgerLimit),
    truth: keepTruth ? new TruthLog() : undefined,
    acks: [],
    firstAckTime: undefined,
  };
}

/** resubscriptions recorded per symbol; past this a flapping connection stops adding more */
const MAX_ACKS = 100_000;

/** Records an acknowledged trade subscription at the symbol's current position (see SymbolState.acks). */
export function recordAck(sym: SymbolState, clock: number): void {
  if (sym.acks.length === 0) sym.firstAckTime = clock;
  const last = sym.acks[sym.acks.length - 1];
  if (last !== sym.nextSeq && sym.acks.length < MAX_ACKS) sym.acks.push(sym.nextSeq);
}

/**
 * The first numeric trade id of a symbol in a run: 100 ids per millisecond of the wall clock at
 * start, as a real exchange's ids keep growing across our restarts. A later run starts above every
 * id of an earlier one as long as the earlier one averaged under 100,000 trades/s per symbol.
 * 1.8e14 today: exact in a double (and as the decimal string the wire carries) until the year 4700.
 */
export function continuingIdBase(startMs: number, prng: Prng): number {
  return Math.floor(startMs) * 100 + prng.int(100);
}

/**
 * A UUID-shaped Bybit execId that never repeats across runs: the run's start (ms) and the trade's
 * seq are written into it, the rest is the seeded random UUID's.
 */
export function continuingUuid(startMs: number, seq: number, random: string): string {
  const t = Math.floor(startMs).toString(16).padStart(12, '0').slice(-12);
  const s = seq.toString(16).padStart(12, '0').slice(-12);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-5${s.slice(0, 3)}-${random.slice(19, 20)}${s.slice(3, 6)}-${s.slice(6, 12)}${random.slice(30, 36)}`;
}

/**
 * A Bybit spot execId: 19 decimal digits, one more per trade of the symbol, never repeating across
 * runs: the run's start (ms, less 10^12: twelve digits until 2286) then the trade's seq in seven
 * (a run past 10^7 trades of one symbol lengthens the id, which still orders it after). Past 2^53:
 * only the text is exact, as on the real wire.
 */
export function continuingDecimalId(startMs: number, seq: number): string {
  return `${Math.floor(startMs) - 1e12}${String(seq).padStart(7, '0')}`;
}

/** One trade: a small random step of the price, a random size and taker side. Updates 24h stats. */
export function nextTrade(sym: SymbolState, prng: Prng): GeneratedFields {
  // integer ticks and integer lots divided by a power of ten: the nearest double to the decimal,
  // the same number a client gets by parsing the formatted string (and no toFixed on the hot path)
  const move = Math.round((prng.next() - 0.5) * sym.priceTicks * 0.001);
  sym.priceTicks = Math.max(sym.priceTicks + move, 1);
  sym.price = sym.priceTicks / sym.priceScale;
  const lots = 1 + prng.int(prng.next() < 0.9 ? 100 : 5000);
  const amount = sym.contractSize !== undefined ? lots * sym.contractSize : lots / sym.amountScale;
  const side = prng.next() < 0.5 ? 'buy' : 'sell';
  if (sym.price > sym.high) sym.high = sym.price;
  if (sym.price < sym.low) sym.low = sym.price;
  sym.volume += amount;
  sym.quoteVolume += amount * sym.price;
  sym.count++;
  sym.lastQty = amount;
  return { price: sym.price, amount, side, lots };
}

/** Refresh the top of book around the last price (ticker frames read it). */
export function nextQuote(sym: SymbolState, prng: Prng): void {
  sym.bidSize = round((1 + prng.int(1000)) * 10 ** -Math.min(sym.amountDecimals, 3), Math.min(sym.amountDecimals, 3));
  sym.askSize = round((1 + prng.int(1000)) * 10 ** -Math.min(sym.amountDecimals, 3), Math.min(sym.amountDecimals, 3));
}

export function bidPrice(sym: SymbolState): number {
  return Math.max(sym.priceTicks - 1, 1) / sym.priceScale;
}

export function askPrice(sym: SymbolState): number {
  return (sym.priceTicks + 1) / sym.priceScale;
}

/** How many events fall in a span of `ms` at `rate` per second, carrying the fraction over. */
export function eventsInSpan(rate: number, ms: number, carry: number): { count: number; carry: number } {
  const exact = carry + (rate * ms) / 1000;
  const count = Math.floor(exact);
  return { count, carry: exact - count };
}
