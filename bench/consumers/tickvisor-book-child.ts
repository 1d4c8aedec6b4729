// tickvisor collecting books, in its own process (the book bench's consumer): createTickvisor with
// channel `book` on Binance spot, a temp store, pointed at the simulator process. Answers the burst
// commands (an update counts once applied and its record stored: tickvisor-book-side.ts), `synced`, `books` (the final
// top N for the comparison with the true books) and `diagnostics` (book counters, and how much the
// store's data file grew since the burst was armed: 0 while the live path does not store books).
import { allocationProfile } from '../lib/allocation-profile.js';
import { burstHandlers } from '../lib/burst-handlers.js';
import { serve } from '../lib/protocol.js';
import { startBookSide, type BookSide } from '../tickvisor-book-side.js';

interface StartArg {
  endpoints: { wsUrl: string; restUrl: string };
  symbols: string[];
  groupSize: number;
}

let side: BookSide | undefined;
let symbols: string[] = [];
/** the store's data file when the burst was armed */
let bytesAtArm = 0;
const need = () => {
  if (!side) throw new Error('tickvisor not started');
  return side;
};

serve(
  {
    start: async (arg: StartArg) => {
      symbols = arg.symbols;
      side = await startBookSide(arg.endpoints, arg.symbols, arg.groupSize);
      return true;
    },
    ...burstHandlers(
      () => side?.stored() ?? 0,
      () => {
        bytesAtArm = side?.storeBytes() ?? 0;
      },
    ),
    allocationProfile,
    synced: () => need().synced(),
    books: (depth: number) => need().books(depth),
    diagnostics: () => {
      const s = need();
      const sum = { resyncs: 0, sequenceGaps: 0, checksumFailures: 0, overflowed: 0, storeGrowthMB: Math.round(((s.storeBytes() - bytesAtArm) / 2 ** 20) * 10) / 10 };
      for (const sym of symbols) {
        const c = s.tv.bookCounters('binance', 'spot', sym);
        if (!c) continue;
        sum.resyncs += c.resyncs;
        sum.sequenceGaps += c.sequenceGaps;
        sum.checksumFailures += c.checksumFailures;
        sum.overflowed += c.overflowed;
      }
      return sum;
    },
  },
  async () => {
    await side?.close();
  },
);
