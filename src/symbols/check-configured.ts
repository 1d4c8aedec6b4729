/**
 * The start-up check of configured symbols against each venue's listing: exchange spellings are
 * mapped (one notice each), symbols the venue does not list stop the start with one line each.
 * The listing is injected (the venue runtime's REST listing; a fake in tests).
 */
import { TickvisorError } from '../errors.js';
import { mappedSymbolLine, resolveSymbols, unknownSymbolLine, type ListedName } from './resolve-symbols.js';

export interface VenueSymbols {
  /** `binance:spot`, as the lines name the venue */
  venue: string;
  configured: readonly string[];
  /** the venue's active listing; rejects when the venue cannot be reached */
  list: () => Promise<{ symbols: string[]; names?: ListedName[] }>;
}

export interface SymbolCheckLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Resolves every venue's configured symbols; returns the unified symbols per venue (same order as
 * given). A venue that cannot be listed now keeps its symbols as configured: the collector checks
 * them at its own listing, and /health names any it cannot find.
 * Throws TV_ERR_UNKNOWN_SYMBOL, one line per unlisted symbol, after checking every venue.
 */
export async function checkConfiguredSymbols(venues: readonly VenueSymbols[], log: SymbolCheckLog, options: { timeoutMs?: number } = {}): Promise<string[][]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LIST_TIMEOUT_MS;
  // every venue at once: a start-up should not wait for one venue's listing after another's
  const listings = await Promise.all(venues.map((v) => within(v.list(), timeoutMs).then((l) => ({ ok: true as const, l }), (error: unknown) => ({ ok: false as const, error }))));
  const lines: string[] = [];
  const out: string[][] = [];
  venues.forEach((v, n) => {
    const got = listings[n]!;
    if (!got.ok) {
      log.warn({ venue: v.venue, err: got.error }, `${v.venue}: could not list the market to check the configured symbols now; the collector checks them when it lists`);
      out.push([...v.configured]);
      return;
    }
    const byName = new Map((got.l.names ?? []).map((name) => [name.symbol, name] as const));
    const r = resolveSymbols(v.configured, got.l.symbols.map((symbol) => byName.get(symbol) ?? { symbol }));
    for (const m of r.mapped) log.warn({ venue: v.venue, given: m.given, symbol: m.symbol }, mappedSymbolLine(m, v.venue));
    for (const u of r.unknown) lines.push(unknownSymbolLine(u, v.venue));
    out.push(r.symbols);
  });
  if (lines.length > 0) throw new TickvisorError('TV_ERR_UNKNOWN_SYMBOL', lines.join('\n'));
  return out;
}

/** a venue that does not answer this fast is checked later, by its collector */
export const DEFAULT_LIST_TIMEOUT_MS = 10_000;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no listing within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
