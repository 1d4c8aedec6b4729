/**
 * One coin's subscription, owned here and nowhere else: its phase on the wire, the refusals pinned
 * on it, and the refusal limit. The Connector holds one record per coin (its eventless transitions
 * must read the phases within the same step, which a child actor's state cannot give), changes it
 * only through these functions, and tells the Coin actor what each change means (the event it
 * returns), so the Coin shows the subscription without counting or deciding anything itself.
 *
 * Phases:
 *   idle        waiting to be requested
 *   requested   subscribe request sent
 *   subscribed  confirmed (ack or first data)
 *   waiting     refused (or timed out) under the limit: asked for again after `subscribeRetryMs`
 *   refused     refused at the limit: stopped, asked for again after a backoff
 *   stopped     removed or delisted: never asked for again unless added back
 */
import type { CoinEvent } from './coin.js';

export type CoinPhase = 'idle' | 'requested' | 'subscribed' | 'waiting' | 'refused' | 'stopped';

export interface CoinSubscription {
  phase: CoinPhase;
  /** refusals pinned on this coin since it was last confirmed: THE count the limit applies to */
  failuresInRow: number;
  /** times it was stopped for refusals and asked for again since it was last confirmed */
  refusedRetries: number;
}

/** The records of a Connector's coins, by symbol. */
export type CoinSubscriptions = Record<string, CoinSubscription>;

export const freshSubscription = (): CoinSubscription => ({ phase: 'idle', failuresInRow: 0, refusedRetries: 0 });

/** The one way to read a coin's phase: undefined when the Connector does not hold it. */
export function phaseOf(coins: CoinSubscriptions, symbol: string): CoinPhase | undefined {
  return coins[symbol]?.phase;
}

/** Every held coin in `phase`. */
export function symbolsIn(coins: CoinSubscriptions, phase: CoinPhase): string[] {
  return Object.keys(coins).filter((s) => phaseOf(coins, s) === phase);
}

/** Those of `symbols` the Connector holds in one of `phases`. */
export function held(coins: CoinSubscriptions, symbols: readonly string[], phases: readonly CoinPhase[]): string[] {
  return symbols.filter((s) => {
    const phase = phaseOf(coins, s);
    return phase !== undefined && phases.includes(phase);
  });
}

/** `symbols` moved to `phase`; a confirmation also clears the refusal streak and its backoff. */
export function withPhase(coins: CoinSubscriptions, symbols: readonly string[], phase: CoinPhase): CoinSubscriptions {
  const next = { ...coins };
  for (const s of symbols) {
    const c = next[s];
    if (c) next[s] = phase === 'subscribed' ? { phase, failuresInRow: 0, refusedRetries: 0 } : { ...c, phase };
  }
  return next;
}

/** `symbols` held afresh: new coins, or stopped ones added back. */
export function withFresh(coins: CoinSubscriptions, symbols: readonly string[]): CoinSubscriptions {
  const next = { ...coins };
  for (const s of symbols) next[s] = freshSubscription();
  return next;
}

/** The refusal limit: this many refusals in a row stop the coin. */
export function atRefusalLimit(failuresInRow: number, maxSubscribeFailures: number): boolean {
  return failuresInRow >= maxSubscribeFailures;
}

export interface Refusal {
  subscription: CoinSubscription;
  /** at the limit: stopped, to be asked for again after the refused-retry backoff */
  final: boolean;
  /** the backoff exponent of that retry (meaningful when `final`) */
  retryAttempt: number;
  /** what the Coin actor is told */
  tell: Extract<CoinEvent, { type: 'REJECT' }>;
}

/** A refusal pinned on the coin (or its subscribe timeout). */
export function refuse(current: CoinSubscription | undefined, reason: string, maxSubscribeFailures: number): Refusal {
  const c = current ?? freshSubscription();
  const failuresInRow = c.failuresInRow + 1;
  const final = atRefusalLimit(failuresInRow, maxSubscribeFailures);
  return {
    subscription: final
      ? { phase: 'refused', failuresInRow, refusedRetries: c.refusedRetries + 1 }
      : { ...c, phase: 'waiting', failuresInRow },
    final,
    retryAttempt: c.refusedRetries,
    tell: { type: 'REJECT', reason, failuresInRow, final },
  };
}

/**
 * A coin stopped for refusals gets one more try after its backoff: one refusal parks it again (with
 * a longer backoff), a confirmation heals it.
 */
export function retryRefused(current: CoinSubscription, maxSubscribeFailures: number): CoinSubscription {
  return { ...current, phase: 'idle', failuresInRow: Math.max(0, maxSubscribeFailures - 1) };
}

/** A change of some coins' subscriptions: the new records, and what each Coin actor is told, in order. */
export interface CoinChange {
  coins: CoinSubscriptions;
  /** the coins it changed, in the order they are held */
  symbols: string[];
  tell: Array<{ symbol: string; event: CoinEvent }>;
}

function change(coins: CoinSubscriptions, symbols: string[], phase: CoinPhase, tell: (symbol: string) => CoinEvent[]): CoinChange {
  return {
    coins: symbols.length > 0 ? withPhase(coins, symbols, phase) : coins,
    symbols,
    tell: symbols.flatMap((symbol) => tell(symbol).map((event) => ({ symbol, event }))),
  };
}

/** Every idle coin goes out in a subscribe request. */
export function requestIdle(coins: CoinSubscriptions): CoinChange {
  return change(coins, symbolsIn(coins, 'idle'), 'requested', () => [{ type: 'REQUEST' }]);
}

/**
 * The exchange confirmed (an ack, or the symbol's first data). A coin that timed out meanwhile
 * (waiting for its retry, or even stopped for refusals) is confirmed too: its data is flowing.
 * `resumed`: those that were stopped for refusals (their retry timer is moot).
 */
export function confirm(coins: CoinSubscriptions, symbols: readonly string[]): CoinChange & { resumed: string[] } {
  const confirmed = held(coins, symbols, ['requested', 'waiting', 'refused']);
  const resumed = held(coins, confirmed, ['refused']);
  return {
    ...change(coins, confirmed, 'subscribed', (s) => (resumed.includes(s) ? [{ type: 'RESUME' }, { type: 'CONFIRM' }] : [{ type: 'CONFIRM' }])),
    resumed,
  };
}

/** The socket is gone: what was on it (or waiting to go out again) is idle. Refused coins wait for their own backoff. */
export function loseConnection(coins: CoinSubscriptions): CoinChange {
  return change(coins, held(coins, Object.keys(coins), ['requested', 'subscribed', 'waiting']), 'idle', () => [{ type: 'CONNECTION.LOST' }]);
}

/** Subscribed coins whose data stopped while the connection delivers: asked for again. */
export function stall(coins: CoinSubscriptions, stalled: ReadonlyArray<{ symbol: string; reason: string }>): CoinChange {
  const reasons = new Map(stalled.filter((s) => phaseOf(coins, s.symbol) === 'subscribed').map((s) => [s.symbol, s.reason] as const));
  return change(coins, [...reasons.keys()], 'idle', (s) => [{ type: 'DATA.STALLED', reason: reasons.get(s) ?? '' }]);
}

/** Coins refused under the limit go out again (the Coin is already Ready). */
export function releaseWaiting(coins: CoinSubscriptions): CoinChange {
  return change(coins, symbolsIn(coins, 'waiting'), 'idle', () => []);
}

/** A coin stopped for refusals, after its backoff: one more try (see `retryRefused`). */
export function releaseRefused(coins: CoinSubscriptions, symbol: string, maxSubscribeFailures: number): CoinChange {
  const c = coins[symbol];
  if (!c || c.phase !== 'refused') return { coins, symbols: [], tell: [] };
  return { coins: { ...coins, [symbol]: retryRefused(c, maxSubscribeFailures) }, symbols: [symbol], tell: [{ symbol, event: { type: 'RESUME' } }] };
}

/** Coins added: new ones (`fresh`: their Coin actor is to be spawned) and stopped ones added back. */
export function add(coins: CoinSubscriptions, symbols: readonly string[]): CoinChange & { fresh: string[] } {
  const fresh = symbols.filter((s) => phaseOf(coins, s) === undefined);
  const revived = held(coins, symbols, ['stopped']);
  return {
    coins: withFresh(coins, [...fresh, ...revived]),
    symbols: [...fresh, ...revived],
    tell: revived.map((symbol) => ({ symbol, event: { type: 'RESUME' } })),
    fresh,
  };
}

/** Coins removed (or delisted): stopped. `onWire`: those the exchange must be told to unsubscribe. */
export function remove(coins: CoinSubscriptions, symbols: readonly string[]): CoinChange & { onWire: string[] } {
  const gone = held(coins, symbols, ['idle', 'requested', 'subscribed', 'waiting', 'refused']);
  return { ...change(coins, gone, 'stopped', () => [{ type: 'STOP', reason: 'removed' }]), onWire: held(coins, gone, ['requested', 'subscribed']) };
}
