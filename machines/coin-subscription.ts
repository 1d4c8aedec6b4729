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
