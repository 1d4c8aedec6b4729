/**
 * Active faults and the questions the rest of the simulator asks about them.
 * Windows are measured on the injected clock; `count` faults are consumed one occurrence at a time.
 * A fault pinned to sockets (`connection`) carries the ids of the sockets it was bound to when it was
 * injected, and only matches a question that names one of them.
 */
import type { ExchangeId, Market } from '../records.js';
import type { SimFault, SimFaultKind } from './types.js';

interface ActiveFault {
  fault: SimFault;
  until: number;
  remaining: number;
  /** the sockets a `connection` fault was bound to; undefined: every socket */
  connIds: ReadonlySet<string> | undefined;
}

export class FaultBook {
  private active: ActiveFault[] = [];

  constructor(private readonly now: () => number) {}

  add(fault: SimFault, connIds?: ReadonlySet<string>): void {
    this.active.push({
      fault,
      until: fault.durationMs !== undefined ? this.now() + fault.durationMs : Infinity,
      remaining: fault.count ?? Infinity,
      connIds,
    });
  }

  /** `keepTimed`: faults with a duration stay until it runs out (a scenario's fault may outlast its timeline) */
  clear(keepTimed = false): void {
    this.active = keepTimed ? this.active.filter((a) => a.until !== Infinity) : [];
  }

  /** the first live fault of this kind for the venue (and symbol, when the fault names symbols) */
  find(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string, connId?: string): SimFault | undefined {
    return this.match(kind, exchange, market, symbol, connId)?.fault;
  }

  has(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string, connId?: string): boolean {
    return this.match(kind, exchange, market, symbol, connId) !== undefined;
  }

  /** true and one occurrence used up, when a matching fault is live */
  consume(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string, connId?: string): boolean {
    return this.take(kind, exchange, market, symbol, connId) !== undefined;
  }

  /** the matching live fault with one occurrence used up (for faults whose fields shape the answer) */
  take(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string, connId?: string): SimFault | undefined {
    const hit = this.match(kind, exchange, market, symbol, connId);
    if (!hit) return undefined;
    hit.remaining--;
    return hit.fault;
  }

  /** the venue's clock offset now: the sum of the live clock-skew faults (0 when none) */
  skewMs(exchange: ExchangeId, market: Market): number {
    if (this.active.length === 0) return 0;
    let skew = 0;
    for (const a of this.live()) {
      if (a.fault.kind === 'clock-skew' && venueMatches(a.fault, exchange, market)) skew += a.fault.skewMs ?? 0;
    }
    return skew;
  }

  /** cheap pre-check for hot paths: any fault at all? */
  get empty(): boolean {
    return this.active.length === 0;
  }

  private live(): ActiveFault[] {
    const now = this.now();
    this.active = this.active.filter((a) => a.until > now && a.remaining > 0);
    return this.active;
  }

  private match(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string, connId?: string): ActiveFault | undefined {
    if (this.active.length === 0) return undefined;
    return this.live().find(
      (a) =>
        a.fault.kind === kind &&
        venueMatches(a.fault, exchange, market) &&
        (a.fault.symbols === undefined || symbol === undefined || a.fault.symbols.includes(symbol)) &&
        (a.connIds === undefined || (connId !== undefined && a.connIds.has(connId))),
    );
  }
}

function venueMatches(fault: SimFault, exchange: ExchangeId, market: Market): boolean {
  return (fault.exchange === undefined || fault.exchange === exchange) && (fault.market === undefined || fault.market === market);
}
