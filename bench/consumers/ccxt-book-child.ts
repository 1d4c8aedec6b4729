// The ccxt pro book peer: `binance.watchOrderBookForSymbols` with its REST and WebSocket URLs pointed
// at the simulator, as a user runs it (default snapshot limit, ccxt's own sync and resync). An update
// counts when ccxt applies it to a book (its handleOrderBookMessage, counted through a wrapper: one
// call more per update, nothing else changed).
import ccxt from 'ccxt';
import type { TopBooks } from '../lib/book-compare.js';
import { burstHandlers } from '../lib/burst-handlers.js';
import { serve } from '../lib/protocol.js';

interface StartArg {
  wsUrl: string;
  restUrl: string;
  /** unified symbols */
  symbols: string[];
}

type Exchange = InstanceType<typeof ccxt.pro.binance>;
interface CcxtBook {
  nonce?: number;
  bids: ArrayLike<[number, number]>;
  asks: ArrayLike<[number, number]>;
}

let exchange: Exchange | undefined;
let symbols: string[] = [];
let running = false;
let applied = 0;
let watchErrors = 0;
let loopError: string | undefined;

async function start(arg: StartArg) {
  const ex = new ccxt.pro.binance({
    // spot only: the simulator serves one venue, and fetchCurrencies is a private (keyed) call.
    // rateLimit: ccxt paces its REST calls by weight (a 1000-level snapshot costs 10 × 50 ms), which
    // only lengthens the warm-up (50 snapshots, ~25 s); the simulator enforces Binance's real limit.
    rateLimit: 10,
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false },
  });
  exchange = ex;
  const api = ex.urls['api'] as Record<string, unknown> & { ws: Record<string, unknown> };
  // as in ccxt-child.ts: REST calls are urls.api.public + '/depth', streams urls.api.ws.spot + '/<n>'
  api['public'] = `${arg.restUrl}/api/v3`;
  api['private'] = `${arg.restUrl}/api/v3`;
  api['v1'] = `${arg.restUrl}/api/v1`;
  api.ws['spot'] = arg.wsUrl;
  await ex.loadHttpProxyAgent();
  const markets = await ex.loadMarkets();
  const missing = arg.symbols.filter((s) => !(s in markets));
  if (missing.length > 0) throw new Error(`ccxt did not list ${missing.length} symbols, e.g. ${missing[0]}`);
  // count every update ccxt applies (live, and those it replays from its buffer after a snapshot)
  const target = ex as unknown as { handleOrderBookMessage: (...args: unknown[]) => unknown };
  const apply = target.handleOrderBookMessage;
  target.handleOrderBookMessage = function (this: unknown, ...args: unknown[]) {
    applied++;
    return apply.apply(this, args);
  };
  symbols = arg.symbols;
  running = true;
  void loop(ex);
  return { markets: Object.keys(markets).length };
}

async function loop(ex: Exchange) {
  while (running) {
    try {
      await ex.watchOrderBookForSymbols(symbols);
    } catch (e) {
      if (!running) return;
      // a sequence break: ccxt dropped the book; watching again resubscribes and fetches a snapshot
      watchErrors++;
      loopError = e instanceof Error ? e.message : String(e);
    }
  }
}

const bookOf = (symbol: string): CcxtBook | undefined => (exchange?.orderbooks as Record<string, CcxtBook> | undefined)?.[symbol];

serve(
  {
    start,
    ...burstHandlers(() => applied),
    synced: () => symbols.filter((s) => bookOf(s)?.nonce !== undefined).length,
    books: (depth: number) => {
      const out: TopBooks = {};
      for (const s of symbols) {
        const b = bookOf(s);
        const top = (side: ArrayLike<[number, number]>): [number, number][] => Array.from(side).slice(0, depth).map(([p, a]) => [p, a]);
        out[s] = b?.nonce === undefined ? null : { bids: top(b.bids), asks: top(b.asks) };
      }
      return out;
    },
    diagnostics: () => ({ watchErrors, loopError: loopError ?? null }),
  },
  async () => {
    running = false;
    await exchange?.close();
  },
);
