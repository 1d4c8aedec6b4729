/**
 * `subscription-refused`: the exchange refused one symbol's subscription so often that its Coin
 * stopped. The Connector keeps asking for it with backoff; this alert tells the operator which
 * symbol, where, and what the exchange said, and is resolved once the symbol is subscribed again.
 *
 * The alerts are read off the actor system's inspection stream (the same stream the lifecycle log
 * reads): a Coin whose snapshot enters `Stopped` with a `refusedReason` raises, a Coin that reaches
 * `Subscribed` after that resolves. The machines stay free of any alerting code.
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { readCoin } from '../../machines/selectors.js';
import { coinKey } from './detectors.js';
import type { AlertRouter } from './alert-router.js';
import type { Alert } from './types.js';

export interface RefusedCoin {
  exchange: string;
  market: string;
  symbol: string;
  /** the exchange's own words (or the subscribe timeout) */
  reason: string;
  /** refusals in a row that stopped it */
  refusals: number;
}

export function subscriptionRefusedAlert(coin: RefusedCoin, at: number): Alert {
  return {
    kind: 'subscription-refused',
    key: coinKey(coin),
    severity: 'warning',
    message: `${coin.symbol} on ${coin.exchange} ${coin.market}: subscription refused ${coin.refusals} times, collection stopped and retried with backoff: ${coin.reason}`,
    details: { exchange: coin.exchange, market: coin.market, symbol: coin.symbol, reason: coin.reason, refusals: coin.refusals },
    at,
  };
}

const MAX_TRACKED_SESSIONS = 100_000;

/** An inspection observer raising and resolving `subscription-refused` alerts for every Coin. */
export function refusalAlerts(
  router: Pick<AlertRouter, 'raise' | 'resolve'>,
  now: () => number = Date.now,
): (event: InspectionEvent) => void {
  /** coins alerted and not yet healed, by coin key */
  const refused = new Set<string>();
  /** last state seen per actor session: raise once per entry into Stopped */
  const last = new Map<string, string>();
  return (event) => {
    if (event.type !== '@xstate.snapshot') return;
    const ref = event.actorRef as AnyActorRef;
    if (!ref.id.startsWith('coin:')) return;
    const snapshot = readCoin(event.snapshot);
    if (snapshot.status === 'stopped') {
      last.delete(ref.sessionId);
      return;
    }
    const state = snapshot.state;
    const previous = last.get(ref.sessionId);
    if (previous === state) return;
    // restarted connectors bring fresh sessions: forget old ones in bulk rather than grow forever
    if (last.size >= MAX_TRACKED_SESSIONS) last.clear();
    last.set(ref.sessionId, state);
    const c = snapshot.coin;
    if (!c) return;
    const key = coinKey(c);
    if (state === 'Stopped' && snapshot.refusedReason !== undefined) {
      refused.add(key);
      router.raise(
        subscriptionRefusedAlert(
          { exchange: c.exchange, market: c.market, symbol: c.symbol, reason: snapshot.refusedReason, refusals: snapshot.failuresInRow },
          now(),
        ),
      );
    } else if (state === 'Subscribed' && refused.delete(key)) {
      router.resolve('subscription-refused', key);
    }
  };
}
