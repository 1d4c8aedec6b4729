// The ccxt pro peer: `binance.watchTradesForSymbols` with its REST and WebSocket URLs pointed at
// the simulator. A trade counts when the watch loop hands it to us the first time (unique id).
import ccxt from 'ccxt';
import { burstHandlers } from '../lib/burst-handlers.js';
import { serve } from '../lib/protocol.js';
import { SeenIds } from '../lib/seen-ids.js';

interface StartArg {
  wsUrl: string;
  restUrl: string;
  /** unified symbols */
  symbols: string[];
}

type Exchange = InstanceType<typeof ccxt.pro.binance>;
let exchange: Exchange | undefined;
let running = false;
let delivered = 0;
let duplicates = 0;
let loopError: string | undefined;
// exact, and small in memory however long the run: its own cost must not count as ccxt's RSS
const ids = new SeenIds();
/**
 * Per symbol, the highest trade id ccxt had received (not necessarily handed out) when the burst was
 * armed. ccxt keeps undelivered trades in its cache and may hand them out later; those belong to the
 * warm-up, so only ids above this line count as burst trades.
 */
let line = new Map<string, number>();

function drawLine(ex: Exchange | undefined) {
  line = new Map();
  const cache = (ex?.trades ?? {}) as Record<string, ArrayLike<{ id?: string }>>;
  for (const [symbol, trades] of Object.entries(cache)) {
    let max = -1;
    for (let i = 0; i < trades.length; i++) max = Math.max(max, Number(trades[i]!.id));
    line.set(symbol, max);
  }
}

async function start(arg: StartArg) {
  const ex = new ccxt.pro.binance({
    // spot only: the simulator serves one venue, and fetchCurrencies is a private (keyed) call
    options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchCurrencies: false },
  });
  exchange = ex;
  const api = ex.urls['api'] as Record<string, unknown> & { ws: Record<string, unknown> };
  // ccxt builds REST calls as urls.api.public + '/exchangeInfo' and stream URLs as urls.api.ws.spot + '/<n>';
  // the simulator serves `/ws/<anything>` on the venue prefix
  api['public'] = `${arg.restUrl}/api/v3`;
  api['private'] = `${arg.restUrl}/api/v3`;
  api['v1'] = `${arg.restUrl}/api/v1`;
  api.ws['spot'] = arg.wsUrl;
  // ccxt refuses ws:// (plain) URLs until its proxy agent module is loaded
  await ex.loadHttpProxyAgent();
  const markets = await ex.loadMarkets();
  const missing = arg.symbols.filter((s) => !(s in markets));
  if (missing.length > 0) throw new Error(`ccxt did not list ${missing.length} symbols, e.g. ${missing[0]}`);
  running = true;
  void loop(ex, arg.symbols);
  return { markets: Object.keys(markets).length, wsUrl: arg.wsUrl };
}

async function loop(ex: Exchange, symbols: string[]) {
  while (running) {
    try {
      const trades = await ex.watchTradesForSymbols(symbols);
      for (const t of trades) {
        // ids are per symbol: two symbols may carry the same number
        if (!ids.add(t.symbol!, Number(t.id))) {
          duplicates++;
          continue;
        }
        if (Number(t.id) > (line.get(t.symbol!) ?? -1)) delivered++;
      }
    } catch (e) {
      if (!running) return;
      loopError = e instanceof Error ? e.message : String(e);
      process.stderr.write(`ccxt peer: watchTradesForSymbols failed: ${loopError}\n`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

serve(
  {
    start,
    ...burstHandlers(() => delivered, () => drawLine(exchange)),
    diagnostics: () => ({ duplicates, loopError: loopError ?? null }),
  },
  async () => {
    running = false;
    await exchange?.close();
  },
);
