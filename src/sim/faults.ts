/**
 * Active faults and the questions the rest of the simulator asks about them.
 * Windows are measured on the injected clock; `count` faults are consumed one occurrence at a time.
 */
import type { ExchangeId, Market } from '../records.js';
import type { SimFault, SimFaultKind } from './types.js';

interface ActiveFault {
  fault: SimFault;
  until: number;
  remaining: number;
}

export class FaultBook {
  private active: ActiveFault[] = [];

  constructor(private readonly now: () => number) {}

  add(fault: SimFault): void {
    this.active.push({
      fault,
      until: fault.durationMs !== undefined ? this.now() + fault.durationMs : Infinity,
      remaining: fault.count ?? Infinity,
    });
  }

  /** `keepTimed`: faults with a duration stay until it runs out (a scenario's fault may outlast its timeline) */
  clear(keepTimed = false): void {
    this.active = keepTimed ? this.active.filter((a) => a.until !== Infinity) : [];
  }

  /** the first live fault of this kind for the venue (and symbol, when the fault names symbols) */
  find(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string): SimFault | undefined {
    return this.match(kind, exchange, market, symbol)?.fault;
  }

  has(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string): boolean {
    return this.match(kind, exchange, market, symbol) !== undefined;
  }

  /** true and one occurrence used up, when a matching fault is live */
  consume(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string): boolean {
    const hit = this.match(kind, exchange, market, symbol);
    if (!hit) return false;
    hit.remaining--;
    return true;
  }

  /** cheap pre-check for hot paths: any fault at all? */
  get empty(): boolean {
    return this.active.length === 0;
  }

  private match(kind: SimFaultKind, exchange: ExchangeId, market: Market, symbol?: string): ActiveFault | undefined {
    if (this.active.length === 0) return undefined;
    const now = this.now();
    this.active = this.active.filter((a) => a.until > now && a.remaining > 0);
    return this.active.find(
      (a) =>
        a.fault.kind === kind &&
        (a.fault.exchange === undefined || a.fault.exchange === exchange) &&
        (a.fault.market === undefined || a.fault.market === market) &&
        (a.fault.symbols === undefined || symbol === undefined || a.fault.symbols.includes(symbol)),
    );
  }
}
