/**
 * Configured symbols checked against a venue's listing. A user may write the unified symbol
 * (`BTC/USDT`) or the exchange's own id (`BTCUSDT`, `KRW-BTC`, `BTC-USDT-SWAP`); both name a listed
 * instrument. Anything else is not listed, and the nearest listed names are offered instead.
 * Pure: the listing is given, nothing is fetched here.
 */

/** What a listing says of one instrument: its unified symbol and the venue's own id. */
export interface ListedName {
  symbol: string;
  nativeId?: string;
}

export interface MappedSymbol {
  /** as configured */
  given: string;
  /** the listed unified symbol it names */
  symbol: string;
}

export interface UnknownSymbol {
  given: string;
  /** listed unified symbols nearest to it, nearest first (at most MAX_SUGGESTIONS) */
  closest: string[];
}

export interface SymbolResolution {
  /** unified symbols to collect, in configured order, without repeats */
  symbols: string[];
  /** configured in another spelling than the unified one: worth a notice */
  mapped: MappedSymbol[];
  unknown: UnknownSymbol[];
}

export const MAX_SUGGESTIONS = 3;

/** `btc-usdt-swap` → `BTCUSDTSWAP`: separators and case are spelling, not identity. */
function compact(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** the asset a symbol is of: `BTC` for `BTC/USDT`, `BTC/USDT:USDT` */
function baseOf(symbol: string): string {
  return symbol.split('/')[0]!.toUpperCase();
}

/** Levenshtein distance, two rows: symbols are short, listings a few thousand names. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Nearest listed symbols to an unlisted one: the same base asset first (`NOPE/BTC` before
 * `NOP/USDT`), then by edit distance of the compact spellings against both the unified symbol and
 * the native id, so `BTCUSD` finds `BTC/USDT` and `ETHUSDT` (futures) finds `ETH/USDT:USDT`.
 */
export function closestListed(given: string, listed: readonly ListedName[], max = MAX_SUGGESTIONS): string[] {
  const g = compact(given);
  const base = given.includes('/') ? baseOf(given) : undefined;
  const scored = listed.map((l) => {
    const d = Math.min(editDistance(g, compact(l.symbol)), l.nativeId === undefined ? Infinity : editDistance(g, compact(l.nativeId)));
    const sameBase = base !== undefined ? baseOf(l.symbol) === base : g.startsWith(compact(baseOf(l.symbol))) || g.endsWith(compact(baseOf(l.symbol)));
    return { symbol: l.symbol, score: d - (sameBase ? 100 : 0) };
  });
  scored.sort((a, b) => a.score - b.score || a.symbol.localeCompare(b.symbol));
  return scored.slice(0, max).map((s) => s.symbol);
}

/**
 * Each configured symbol → the listed unified symbol it names: exactly; else the venue's own id
 * (any case); else a unique listed symbol of the same compact spelling (`btc/usdt`, or
 * `BTC/USDT` on a futures market listing only `BTC/USDT:USDT`). Otherwise it is unknown.
 */
export function resolveSymbols(configured: readonly string[], listed: readonly ListedName[]): SymbolResolution {
  const bySymbol = new Set(listed.map((l) => l.symbol));
  const byNative = new Map<string, string>();
  const byCompact = new Map<string, Set<string>>();
  const note = (key: string, symbol: string) => {
    let set = byCompact.get(key);
    if (!set) byCompact.set(key, (set = new Set()));
    set.add(symbol);
  };
  for (const l of listed) {
    if (l.nativeId !== undefined) byNative.set(l.nativeId.toUpperCase(), l.symbol);
    note(compact(l.symbol), l.symbol);
    // a perpetual also answers to its pair without the settle suffix
    const colon = l.symbol.indexOf(':');
    if (colon > 0) note(compact(l.symbol.slice(0, colon)), l.symbol);
  }
  const out: SymbolResolution = { symbols: [], mapped: [], unknown: [] };
  const seen = new Set<string>();
  const take = (symbol: string) => {
    if (!seen.has(symbol)) out.symbols.push(symbol);
    seen.add(symbol);
  };
  for (const given of configured) {
    if (bySymbol.has(given)) {
      take(given);
      continue;
    }
    const candidates = byCompact.get(compact(given));
    const symbol = byNative.get(given.toUpperCase()) ?? (candidates?.size === 1 ? [...candidates][0] : undefined);
    if (symbol !== undefined) {
      take(symbol);
      out.mapped.push({ given, symbol });
    } else {
      out.unknown.push({ given, closest: closestListed(given, listed) });
    }
  }
  return out;
}

/** One line per unlisted symbol: it, the venue, and what is listed nearest. */
export function unknownSymbolLine(u: UnknownSymbol, venue: string): string {
  const near = u.closest.length > 0 ? `; closest listed: ${u.closest.join(', ')}` : '; the venue lists no symbols';
  return `${venue} does not list symbol '${u.given}'${near}`;
}

/** The notice for a symbol configured in the exchange's own spelling. */
export function mappedSymbolLine(m: MappedSymbol, venue: string): string {
  return `${venue}: symbol '${m.given}' is the exchange's spelling of ${m.symbol}; collecting ${m.symbol}`;
}
