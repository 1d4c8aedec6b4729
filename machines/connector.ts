/**
 * Connector: one WebSocket for one group of coins (docs/architecture.md#machines).
 *   Ready                   created, not yet started
 *   Connecting              opening the socket
 *   Connected               socket open, every coin requested or settled; watching the feed
 *   SubscriptionRequesting  subscribe requests in flight, waiting for acks (or first data)
 *   Failed                  the socket or the feed failed; cleaned up; deciding: recover or give up
 *   Recovering              waiting out the reconnect backoff before Connecting again
 *
 * The socket itself is the `connection` actor, provided from outside (src/runtime in production,
 * a fake in tests). It reports socket events, acks and once-a-second feed activity; the machine
 * sends it SUBSCRIBE / UNSUBSCRIBE / PING. Ticks never pass through here (docs/architecture.md#data-path).
 *
 * Refusals are pinned per symbol (refusal.ts): a refused batch is split until the refusal names the
 * symbols the exchange really refuses; only those count. The count and the limit live with each
 * coin's subscription record (coin-subscription.ts), which this machine holds and changes through
 * that module alone: past `maxSubscribeFailures` in a row a coin stops (the alerting names it) and
 * is asked for again later with backoff (`refusedRetry`), so a temporary refusal heals without a
 * listing refresh.
 *
 * Two watchdogs guard an open socket: no frame at all (data, pong or server ping) for
 * `silenceTimeoutMs` is a dead socket; no DATA for far longer than this connection's usual rate
 * allows is a stall, even while pings and pongs still flow (data-stall.ts). Either reconnects.
 * The same judgement runs per symbol: one symbol silent far beyond its own usual rate while the
 * connection's other symbols keep flowing lost its subscription on the exchange's side (delisted
 * and relisted, dropped by the server): it alone is unsubscribed and asked for again on the same
 * socket. A refusal then takes the usual refusal path; a confirmation opens the gap window (the
 * re-subscription does) that backfills the silence.
 *
 * Own recovery is the first level of supervision: Failed → Recovering → Connecting with backoff.
 * After `maxConsecutiveFailures` failures without a healthy period in between, the connector gives
 * up (Failed.GaveUp) and tells its Collector, which restarts it as a fresh actor or escalates.
 */
import { assign, cancel, enqueueActions, fromCallback, raise, setup, type AnyActorRef } from 'xstate';
import type { Channel, ExchangeId, Market } from '../src/records.js';
import { coinMachine } from './coin.js';
import {
  advanceRate,
  DEFAULT_STALL_POLICY,
  EMPTY_FEED_RATE,
  noteStall,
  recordData,
  restartSilence,
  stallVerdict,
  type FeedRate,
  type StallPolicy,
} from './data-stall.js';
import { pinRefusal } from './refusal.js';
import {
  add,
  confirm,
  held,
  loseConnection,
  phaseOf,
  refuse,
  releaseRefused,
  releaseWaiting,
  remove,
  requestIdle,
  stall,
  symbolsIn,
  withFresh,
  type CoinChange,
  type CoinSubscriptions,
} from './coin-subscription.js';
import type { CoinEvent } from './coin.js';
import { nextRandom } from '../src/prng.js';
import { sendToParentIfAny } from './report.js';
import { backoffDelay, errorText, type BackoffPolicy } from './supervision.js';
import { coinId, connectionId, connectorId } from './ids.js';

export interface ConnectorPolicy {
  connectTimeoutMs: number;
  /** a subscribe request without an answer this long counts as refused */
  subscribeTimeoutMs: number;
  /**
   * no frame at all (data, pong or server ping) for this long: the socket is dead; also the longest
   * data silence the data-stall detector ever waits for
   */
  silenceTimeoutMs: number;
  /** data silence judged against the connection's usual rate (see data-stall.ts) */
  stall: StallPolicy;
  /** 0: the server pings and the socket layer answers; otherwise we send PING this often */
  pingIntervalMs: number;
  reconnect: BackoffPolicy;
  /** failures in a row without a healthy period in between before the connector gives up */
  maxConsecutiveFailures: number;
  /** connected this long without failing: the failure streak and backoff reset */
  healthyAfterMs: number;
  /** refusals in a row (pinned on the coin itself) before one coin stops */
  maxSubscribeFailures: number;
  /** wait before asking again for coins that were refused */
  subscribeRetryMs: number;
  /** a coin stopped by refusals is asked for again after this backoff (growing per attempt) */
  refusedRetry: BackoffPolicy;
  /**
   * replace the socket make-before-break this long after it opened, before the exchange's own
   * lifetime limit closes it (Binance: 24 h); 0: never
   */
  rotateAfterMs: number;
}

export const DEFAULT_CONNECTOR_POLICY: ConnectorPolicy = {
  connectTimeoutMs: 10_000,
  subscribeTimeoutMs: 10_000,
  silenceTimeoutMs: 30_000,
  stall: DEFAULT_STALL_POLICY,
  pingIntervalMs: 0,
  // a gentle curve: back within a fraction of a second of a short outage, ~10 s apart in a long one
  reconnect: { minDelayMs: 250, maxDelayMs: 10_000, factor: 1.6, jitter: 0.2 },
  maxConsecutiveFailures: 8,
  healthyAfterMs: 30_000,
  maxSubscribeFailures: 5,
  subscribeRetryMs: 5_000,
  // well inside the 15-minute listing refresh, and never hammering a symbol the exchange refuses
  refusedRetry: { minDelayMs: 30_000, maxDelayMs: 10 * 60_000, factor: 2, jitter: 0.2 },
  rotateAfterMs: 0,
};

export interface ConnectorInput {
  exchange: ExchangeId;
  market: Market;
  groupIndex: number;
  symbols: string[];
  channels: Channel[];
  policy: ConnectorPolicy;
  /** PRNG state for reconnect jitter */
  seed: number;
}

export interface ConnectorContext {
  exchange: ExchangeId;
  market: Market;
  groupIndex: number;
  channels: Channel[];
  policy: ConnectorPolicy;
  seed: number;
  /** each coin's subscription, owned by coin-subscription.ts (the Coin actors show it) */
  coins: CoinSubscriptions;
  /** data frames this connection usually receives, and the current data silence */
  feedRate: FeedRate;
  /** the same per symbol: the frames that carried it (only when the connection reports them per symbol) */
  symbolRates: Record<string, FeedRate>;
  /** data stalls detected (each one reconnects) */
  dataStalls: number;
  /** one symbol fell silent while the others flowed (each one resubscribes that symbol) */
  symbolStalls: number;
  /** the socket is not being read (store backpressure) */
  readingPaused: boolean;
  connectionAttempts: number;
  connectionSuccesses: number;
  subscriptionAttempts: number;
  subscriptionSuccesses: number;
  subscriptionFailures: number;
  recoveryAttempts: number;
  recoverySuccesses: number;
  consecutiveFailures: number;
  /** a failure happened and the connection has not yet been re-established */
  recovering: boolean;
  nextDelayMs: number;
  /** make-before-break socket replacements (lifetime rotation) */
  rotations: number;
  framesReceived: number;
  recordsReceived: number;
  malformedFrames: number;
  lastError?: string;
}

/** What the connection actor receives from the machine. */
export type ConnectionCommand =
  | { type: 'SUBSCRIBE'; symbols: string[] }
  | { type: 'UNSUBSCRIBE'; symbols: string[] }
  | { type: 'PING' };

/** What the connection actor reports to the machine. */
export type ConnectionReport =
  | { type: 'SOCKET.OPEN' }
  | { type: 'SOCKET.CLOSED'; reason: string }
  | { type: 'SUBSCRIBE.ACK'; symbols: string[] }
  /**
   * a subscribe request was refused. `symbols`: what the refused request asked for (on exchanges
   * that refuse a request as a whole) or the streams refused (on those that answer per stream);
   * `named`: the symbols the exchange's answer names, when it names any
   */
  | { type: 'SUBSCRIBE.REJECT'; symbols: string[]; reason: string; named?: string[] }
  /**
   * aggregated, at most about once a second: never per tick. `dataFrames`: frames that carried
   * records (default: all frames when any record came); `bySymbol`: per symbol that had any, its
   * data frames and how long before this report the last one came (absent: not counted per
   * symbol, and no symbol is judged on its own)
   */
  | {
      type: 'FEED.ACTIVITY';
      frames: number;
      records: number;
      malformed: number;
      dataFrames?: number;
      bySymbol?: Record<string, SymbolActivity>;
    }
  /** keep-alive traffic: a pong, or a server ping. The socket lives; it is not data */
  | { type: 'FEED.PONG' }
  /** reading paused (or resumed) because the store is behind: data silence is ours, not a stall */
  | { type: 'FEED.PAUSED'; paused: boolean }
  /** the socket was replaced make-before-break: the new one carries every stream, the old one is closed */
  | { type: 'CONNECTION.ROTATED' };

export interface ConnectionInput {
  exchange: ExchangeId;
  market: Market;
  groupIndex: number;
  channels: Channel[];
  /** see ConnectorPolicy.rotateAfterMs */
  rotateAfterMs: number;
}

export type ConnectorEvent =
  | ConnectionReport
  | { type: 'START' }
  | { type: 'COINS.ADD'; symbols: string[] }
  | { type: 'COINS.REMOVE'; symbols: string[] }
  | { type: 'FEED.SILENT' }
  | { type: 'FEED.CHECK' }
  | { type: 'FEED.STALLED'; silentMs: number; thresholdMs: number; usualPerSecond: number }
  | { type: 'SYMBOLS.STALLED'; stalls: SymbolStall[] }
  | { type: 'KEEPALIVE.PING' }
  | { type: 'SUBSCRIBE.TIMEOUT' }
  | { type: 'SUBSCRIBE.RETRY' }
  | { type: 'REFUSED.RETRY'; symbol: string }
  | { type: 'CONNECTION.HEALTHY' }
  | { type: 'xstate.error.actor.connection'; error: unknown };

/** One symbol's data in one activity report. */
export interface SymbolActivity {
  dataFrames: number;
  /** ms from the symbol's last data frame to the report */
  sinceLastMs: number;
}

/** One symbol silent far beyond its usual rate while its connection still delivers. */
export interface SymbolStall {
  symbol: string;
  silentMs: number;
  thresholdMs: number;
  usualPerSecond: number;
}

/** Reported to the parent Collector. */
export type ConnectorReport =
  | { type: 'CONNECTOR.STATE'; id: string; state: ConnectorState }
  | { type: 'CONNECTOR.GAVE_UP'; id: string; error: string };

export const CONNECTOR_STATE_CODES = {
  Ready: 0,
  Connecting: 1,
  Connected: 2,
  SubscriptionRequesting: 3,
  Failed: 4,
  Recovering: 5,
} as const;
export type ConnectorState = keyof typeof CONNECTOR_STATE_CODES;

/** Placeholder transport: production and tests provide the real one with `.provide()`. */
const unprovidedConnection = fromCallback<ConnectionCommand, ConnectionInput>(({ sendBack }) => {
  sendBack({ type: 'SOCKET.CLOSED', reason: 'no connection actor provided' });
});

/** Each Coin actor is told what the change of its subscription record means (coin-subscription.ts). */
function tellCoins(
  enqueue: { sendTo(to: string, event: CoinEvent): void },
  context: Pick<ConnectorContext, 'exchange' | 'market'>,
  change: Pick<CoinChange, 'tell'>,
): void {
  for (const { symbol, event } of change.tell) enqueue.sendTo(coinId(context.exchange, context.market, symbol), event);
}

/**
 * A Coin's spawn options, the same for the coins of the first listing and for those added later
 * (a new listing): every coin of a book collector carries its book sub-states.
 */
function coinSpawn(context: ConnectorContext, symbol: string) {
  const id = coinId(context.exchange, context.market, symbol);
  return {
    id,
    systemId: id,
    input: { exchange: context.exchange, market: context.market, symbol, book: context.channels.includes('book') },
  };
}

function symbolStallText(s: SymbolStall): string {
  return `${s.symbol} data stalled: no data for ${s.silentMs} ms where ${s.usualPerSecond.toFixed(1)} frames/s are usual (limit ${Math.round(s.thresholdMs)} ms); subscribing it again`;
}

/** Every symbol's silence measured from now (a new socket, paused reading), keeping what is normal. */
function restartSymbolSilences(rates: Record<string, FeedRate>, only?: readonly string[]): Record<string, FeedRate> {
  const next = { ...rates };
  for (const s of only ?? Object.keys(rates)) {
    const r = next[s];
    if (r && (r.silentMs !== 0 || r.pending !== 0)) next[s] = restartSilence(r);
  }
  return next;
}

/** One line for `lastError` and the log: why the connection was torn down. */
function failureReason(context: ConnectorContext, event: ConnectorEvent): string {
  switch (event.type) {
    case 'SOCKET.CLOSED':
      return `socket closed: ${event.reason}`;
    case 'FEED.SILENT':
      return `feed silent for ${context.policy.silenceTimeoutMs} ms`;
    case 'FEED.STALLED':
      return `data stalled: no data for ${event.silentMs} ms where ${event.usualPerSecond.toFixed(1)} frames/s are usual (limit ${Math.round(event.thresholdMs)} ms)`;
    case 'xstate.error.actor.connection':
      return `connection crashed: ${errorText(event.error)}`;
    default:
      return (event.type as string).startsWith('xstate.after.')
        ? `connect timed out after ${context.policy.connectTimeoutMs} ms`
        : `failed on ${event.type}`;
  }
}

function report(self: AnyActorRef, context: ConnectorContext, state: ConnectorState): void {
  const event: ConnectorReport = {
    type: 'CONNECTOR.STATE',
    id: connectorId(context.exchange, context.market, context.groupIndex),
    state,
  };
  sendToParentIfAny(self, event);
}

/** ms from the connection's last data frame (of any symbol) to the report */
function latestData(bySymbol: Record<string, SymbolActivity>): number {
  let since = Infinity;
  for (const a of Object.values(bySymbol)) since = Math.min(since, a.sinceLastMs);
  return Number.isFinite(since) ? since : 0;
}

/** Data frames per symbol folded into each held symbol's rate. */
function recordSymbolData(context: ConnectorContext, bySymbol: Record<string, SymbolActivity>): Record<string, FeedRate> {
  const next = { ...context.symbolRates };
  for (const [symbol, a] of Object.entries(bySymbol)) {
    if (phaseOf(context.coins, symbol) === undefined) continue;
    next[symbol] = recordData(next[symbol] ?? EMPTY_FEED_RATE, a.dataFrames, a.sinceLastMs);
  }
  return next;
}

/**
 * One check interval for every symbol: a subscribed symbol's rate advances and its silence is
 * judged; any other symbol's silence does not count (it is not expected to deliver). A symbol is
 * stalled only while the connection's other symbols clearly still deliver (its own data silence
 * is under half that symbol's threshold): when everything falls silent at once, the symbols'
 * last frames are only moments apart, and the connection's own verdict decides (a reconnect).
 */
function judgeSymbols(context: ConnectorContext, connection: FeedRate): { rates: Record<string, FeedRate>; stalls: SymbolStall[] } {
  const policy = context.policy.stall;
  const rates: Record<string, FeedRate> = {};
  const stalls: SymbolStall[] = [];
  for (const symbol of Object.keys(context.coins)) {
    const rate = context.symbolRates[symbol];
    if (phaseOf(context.coins, symbol) !== 'subscribed') {
      if (rate) rates[symbol] = rate.silentMs !== 0 || rate.pending !== 0 ? restartSilence(rate) : rate;
      continue;
    }
    // observed from the subscription on, so a symbol that never delivers never warms up (quiet)
    const next = advanceRate(rate ?? EMPTY_FEED_RATE, policy.checkEveryMs, policy);
    rates[symbol] = next;
    const verdict = stallVerdict(next, policy, context.policy.silenceTimeoutMs);
    if (verdict.stalled && connection.silentMs < verdict.thresholdMs / 2) {
      stalls.push({ symbol, silentMs: verdict.silentMs, thresholdMs: verdict.thresholdMs, usualPerSecond: verdict.usualPerSecond });
    }
  }
  return { rates, stalls };
}

/** What an open socket handles in both Connected and SubscriptionRequesting. */
const WHILE_OPEN = {
  // a late ack after a timeout still confirms the coin (confirmCoins accepts waiting coins too)
  'SUBSCRIBE.ACK': { actions: ['confirmCoins', 'restartSilence'] },
  'SUBSCRIBE.REJECT': { actions: 'refuseCoins' },
  'FEED.ACTIVITY': { actions: ['recordActivity', 'armWatchdog'] },
  'FEED.PONG': { actions: 'armWatchdog' },
  'FEED.CHECK': { actions: 'checkStall' },
  'KEEPALIVE.PING': { actions: 'sendPing' },
  'CONNECTION.HEALTHY': { actions: 'resetFailureStreak' },
  'CONNECTION.ROTATED': { actions: 'countRotation' },
  'FEED.SILENT': '#connector.Failed',
  'FEED.STALLED': { target: '#connector.Failed', actions: 'countStall' },
  'SOCKET.CLOSED': '#connector.Failed',
  'xstate.error.actor.connection': '#connector.Failed',
} as const;

export const connectorMachine = setup({
  types: {
    input: {} as ConnectorInput,
    context: {} as ConnectorContext,
    events: {} as ConnectorEvent,
  },
  actors: {
    connection: unprovidedConnection,
    coin: coinMachine,
  },
  delays: {
    connectTimeout: ({ context }) => context.policy.connectTimeoutMs,
    subscribeTimeout: ({ context }) => context.policy.subscribeTimeoutMs,
    silenceTimeout: ({ context }) => context.policy.silenceTimeoutMs,
    pingInterval: ({ context }) => context.policy.pingIntervalMs,
    healthyAfter: ({ context }) => context.policy.healthyAfterMs,
    subscribeRetry: ({ context }) => context.policy.subscribeRetryMs,
    stallCheck: ({ context }) => context.policy.stall.checkEveryMs,
    reconnectDelay: ({ context }) => context.nextDelayMs,
  },
  guards: {
    hasIdleCoins: ({ context }) => symbolsIn(context.coins, 'idle').length > 0,
    noCoinRequested: ({ context }) => symbolsIn(context.coins, 'requested').length === 0,
    budgetSpent: ({ context }) => context.consecutiveFailures >= context.policy.maxConsecutiveFailures,
  },
  actions: {
    spawnCoins: enqueueActions(({ context, enqueue }, params: { symbols: string[] }) => {
      for (const symbol of params.symbols) enqueue.spawnChild('coin', coinSpawn(context, symbol));
    }),
    openConnection: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ connectionAttempts: context.connectionAttempts + 1 });
      enqueue.spawnChild('connection', {
        id: 'connection',
        systemId: connectionId(context.exchange, context.market, context.groupIndex),
        input: {
          exchange: context.exchange,
          market: context.market,
          groupIndex: context.groupIndex,
          channels: context.channels,
          rotateAfterMs: context.policy.rotateAfterMs,
        },
      });
    }),
    /** Leaves nothing behind: socket closed, every timer cancelled, every coin back to Ready. */
    tearDown: enqueueActions(({ context, enqueue, event }) => {
      enqueue.stopChild('connection');
      for (const id of ['watchdog', 'stallCheck', 'ping', 'subscribeTimeout', 'subscribeRetry', 'healthy']) enqueue.cancel(id);
      const lost = loseConnection(context.coins);
      tellCoins(enqueue, context, lost);
      const reason = failureReason(context, event);
      enqueue.assign({
        coins: lost.coins,
        consecutiveFailures: context.consecutiveFailures + 1,
        recovering: true,
        lastError: reason,
      });
    }),
    planReconnect: assign(({ context }) => {
      const r = nextRandom(context.seed);
      return {
        seed: r.seed,
        nextDelayMs: backoffDelay(context.policy.reconnect, context.consecutiveFailures - 1, r.value),
        recoveryAttempts: context.recoveryAttempts + 1,
      };
    }),
    countConnected: assign(({ context }) => ({
      connectionSuccesses: context.connectionSuccesses + 1,
      recoverySuccesses: context.recovering ? context.recoverySuccesses + 1 : context.recoverySuccesses,
      recovering: false,
    })),
    armWatchdog: enqueueActions(({ enqueue }) => {
      enqueue.cancel('watchdog');
      enqueue.raise({ type: 'FEED.SILENT' }, { id: 'watchdog', delay: 'silenceTimeout' });
    }),
    armHealthy: raise({ type: 'CONNECTION.HEALTHY' }, { id: 'healthy', delay: 'healthyAfter' }),
    armPing: enqueueActions(({ context, enqueue }) => {
      if (context.policy.pingIntervalMs > 0) {
        enqueue.raise({ type: 'KEEPALIVE.PING' }, { id: 'ping', delay: 'pingInterval' });
      }
    }),
    sendPing: enqueueActions(({ context, enqueue }) => {
      enqueue.sendTo('connection', { type: 'PING' } satisfies ConnectionCommand);
      if (context.policy.pingIntervalMs > 0) {
        enqueue.raise({ type: 'KEEPALIVE.PING' }, { id: 'ping', delay: 'pingInterval' });
      }
    }),
    recordActivity: assign(({ context, event }) =>
      event.type === 'FEED.ACTIVITY'
        ? {
            framesReceived: context.framesReceived + event.frames,
            recordsReceived: context.recordsReceived + event.records,
            malformedFrames: context.malformedFrames + event.malformed,
            feedRate: recordData(
              context.feedRate,
              event.dataFrames ?? (event.records > 0 ? event.frames : 0),
              event.bySymbol ? latestData(event.bySymbol) : 0,
            ),
            ...(event.bySymbol ? { symbolRates: recordSymbolData(context, event.bySymbol) } : {}),
          }
        : {},
    ),
    /** a new socket or new subscriptions: the data silence is measured from now */
    restartSilence: assign(({ context }) => ({ feedRate: restartSilence(context.feedRate) })),
    startStallCheck: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ feedRate: restartSilence(context.feedRate), symbolRates: restartSymbolSilences(context.symbolRates) });
      if (context.policy.stall.checkEveryMs > 0) enqueue.raise({ type: 'FEED.CHECK' }, { id: 'stallCheck', delay: 'stallCheck' });
    }),
    /** Once per check interval: fold the data that came into the usual rate, and judge the silence. */
    checkStall: enqueueActions(({ context, enqueue }) => {
      const policy = context.policy.stall;
      if (policy.checkEveryMs <= 0) return;
      enqueue.raise({ type: 'FEED.CHECK' }, { id: 'stallCheck', delay: 'stallCheck' });
      // nothing subscribed yet (or any more), or we stopped reading: no silence counts
      if (context.readingPaused || symbolsIn(context.coins, 'subscribed').length === 0) {
        enqueue.assign({ feedRate: restartSilence(context.feedRate), symbolRates: restartSymbolSilences(context.symbolRates) });
        return;
      }
      const feedRate = advanceRate(context.feedRate, policy.checkEveryMs, policy);
      const verdict = stallVerdict(feedRate, policy, context.policy.silenceTimeoutMs);
      const judged = judgeSymbols(context, feedRate);
      enqueue.assign({ feedRate, symbolRates: judged.rates });
      if (verdict.stalled) {
        enqueue.raise({
          type: 'FEED.STALLED',
          silentMs: verdict.silentMs,
          thresholdMs: verdict.thresholdMs,
          usualPerSecond: verdict.usualPerSecond,
        });
      } else if (judged.stalls.length > 0) {
        enqueue.raise({ type: 'SYMBOLS.STALLED', stalls: judged.stalls });
      }
    }),
    /**
     * Symbols silent far beyond their own usual rate while the connection delivers: their
     * subscription is gone on the exchange's side, though the socket is fine. Unsubscribe them (the
     * exchange may still think them subscribed, and the socket would confirm a live stream without
     * asking) and let them be requested again like any idle coin.
     */
    resubscribeStalled: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'SYMBOLS.STALLED') return;
      const stalls = event.stalls.filter((s) => phaseOf(context.coins, s.symbol) === 'subscribed');
      if (stalls.length === 0) return;
      const stalled = stall(context.coins, stalls.map((s) => ({ symbol: s.symbol, reason: symbolStallText(s) })));
      enqueue.sendTo('connection', { type: 'UNSUBSCRIBE', symbols: stalled.symbols } satisfies ConnectionCommand);
      tellCoins(enqueue, context, stalled);
      const symbolRates = { ...context.symbolRates };
      for (const s of stalls) symbolRates[s.symbol] = noteStall(symbolRates[s.symbol] ?? EMPTY_FEED_RATE);
      enqueue.assign({
        coins: stalled.coins,
        symbolRates,
        symbolStalls: context.symbolStalls + stalls.length,
        lastError: symbolStallText(stalls[0]!),
      });
    }),
    countStall: assign(({ context }) => ({ dataStalls: context.dataStalls + 1 })),
    notePaused: assign(({ context, event }) =>
      event.type === 'FEED.PAUSED'
        ? { readingPaused: event.paused, feedRate: restartSilence(context.feedRate), symbolRates: restartSymbolSilences(context.symbolRates) }
        : {},
    ),
    resetFailureStreak: assign({ consecutiveFailures: 0 }),
    countRotation: assign(({ context }) => ({ rotations: context.rotations + 1 })),
    requestIdleCoins: enqueueActions(({ context, enqueue }) => {
      const requested = requestIdle(context.coins);
      if (requested.symbols.length === 0) return;
      tellCoins(enqueue, context, requested);
      enqueue.sendTo('connection', { type: 'SUBSCRIBE', symbols: requested.symbols } satisfies ConnectionCommand);
      enqueue.assign({
        coins: requested.coins,
        subscriptionAttempts: context.subscriptionAttempts + requested.symbols.length,
      });
      enqueue.cancel('subscribeTimeout');
      enqueue.raise({ type: 'SUBSCRIBE.TIMEOUT' }, { id: 'subscribeTimeout', delay: 'subscribeTimeout' });
    }),
    /**
     * The exchange confirmed (an ack, or the symbol's first data). A coin that timed out meanwhile
     * (waiting for its retry, or even stopped for refusals) is confirmed too: its data is flowing,
     * and asking again would only send a second SUBSCRIBE for a live stream.
     */
    confirmCoins: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'SUBSCRIBE.ACK') return;
      const confirmed = confirm(context.coins, event.symbols);
      if (confirmed.symbols.length === 0) return;
      for (const s of confirmed.resumed) enqueue.cancel(`refusedRetry:${s}`);
      tellCoins(enqueue, context, confirmed);
      enqueue.assign({
        coins: confirmed.coins,
        // each confirmed symbol's silence counts from its (re)subscription
        symbolRates: restartSymbolSilences(context.symbolRates, confirmed.symbols),
        subscriptionSuccesses: context.subscriptionSuccesses + confirmed.symbols.length,
      });
    }),
    /**
     * Refused by the exchange, or by the timeout. An exchange's refusal is first pinned on the
     * symbols it really concerns (refusal.ts): the innocent part of a refused batch is asked for
     * again at once, counting nothing. A pinned refusal counts against the coin — the one count the
     * limit applies to: under the limit the coin is retried after `subscribeRetryMs`; at the limit
     * it stops (the alerting names it) and is asked for again after the `refusedRetry` backoff.
     */
    refuseCoins: enqueueActions(({ context, enqueue, event }) => {
      let refused: string[] = [];
      let resend: string[][] = [];
      if (event.type === 'SUBSCRIBE.REJECT') {
        const pinned = pinRefusal(held(context.coins, event.symbols, ['requested']), event.named);
        refused = pinned.refused;
        resend = pinned.retry;
      } else if (event.type === 'SUBSCRIBE.TIMEOUT') {
        refused = symbolsIn(context.coins, 'requested');
      }
      for (const group of resend) enqueue.sendTo('connection', { type: 'SUBSCRIBE', symbols: group } satisfies ConnectionCommand);
      const resent = resend.reduce((n, g) => n + g.length, 0);
      if (resent > 0) {
        enqueue.cancel('subscribeTimeout');
        enqueue.raise({ type: 'SUBSCRIBE.TIMEOUT' }, { id: 'subscribeTimeout', delay: 'subscribeTimeout' });
      }
      if (refused.length === 0) {
        if (resent > 0) enqueue.assign({ subscriptionAttempts: context.subscriptionAttempts + resent });
        return;
      }
      const reason =
        event.type === 'SUBSCRIBE.REJECT' ? event.reason : `no answer within ${context.policy.subscribeTimeoutMs} ms`;
      let coins = context.coins;
      let seed = context.seed;
      let retryLater = false;
      for (const s of refused) {
        const refusal = refuse(coins[s], reason, context.policy.maxSubscribeFailures);
        enqueue.sendTo(coinId(context.exchange, context.market, s), refusal.tell);
        if (refusal.final) {
          const r = nextRandom(seed);
          seed = r.seed;
          const delay = backoffDelay(context.policy.refusedRetry, refusal.retryAttempt, r.value);
          enqueue.raise({ type: 'REFUSED.RETRY', symbol: s }, { id: `refusedRetry:${s}`, delay });
        } else {
          retryLater = true;
        }
        coins = { ...coins, [s]: refusal.subscription };
      }
      enqueue.assign({
        coins,
        seed,
        subscriptionAttempts: context.subscriptionAttempts + resent,
        subscriptionFailures: context.subscriptionFailures + refused.length,
        lastError: reason,
      });
      if (retryLater) {
        enqueue.cancel('subscribeRetry');
        enqueue.raise({ type: 'SUBSCRIBE.RETRY' }, { id: 'subscribeRetry', delay: 'subscribeRetry' });
      }
    }),
    releaseWaitingCoins: assign(({ context }) => ({ coins: releaseWaiting(context.coins).coins })),
    /** A coin stopped for refusals gets one more try after its backoff (coin-subscription.ts). */
    releaseRefusedCoin: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'REFUSED.RETRY') return;
      const released = releaseRefused(context.coins, event.symbol, context.policy.maxSubscribeFailures);
      if (released.symbols.length === 0) return;
      tellCoins(enqueue, context, released);
      enqueue.assign({ coins: released.coins });
    }),
    addCoins: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'COINS.ADD') return;
      const added = add(context.coins, event.symbols);
      for (const s of added.fresh) enqueue.spawnChild('coin', coinSpawn(context, s));
      tellCoins(enqueue, context, added);
      enqueue.assign({ coins: added.coins });
    }),
    removeCoins: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'COINS.REMOVE') return;
      const removed = remove(context.coins, event.symbols);
      if (removed.symbols.length === 0) return;
      if (removed.onWire.length > 0) enqueue.sendTo('connection', { type: 'UNSUBSCRIBE', symbols: removed.onWire } satisfies ConnectionCommand);
      for (const s of removed.symbols) enqueue.cancel(`refusedRetry:${s}`);
      tellCoins(enqueue, context, removed);
      enqueue.assign({ coins: removed.coins });
    }),
    reportState: ({ self, context }, params: { state: ConnectorState }) => report(self, context, params.state),
    reportGaveUp: ({ self, context }) => {
      const event: ConnectorReport = {
        type: 'CONNECTOR.GAVE_UP',
        id: connectorId(context.exchange, context.market, context.groupIndex),
        error: context.lastError ?? 'unknown failure',
      };
      sendToParentIfAny(self, event);
    },
  },
}).createMachine({
  id: 'connector',
  context: ({ input }) => ({
    exchange: input.exchange,
    market: input.market,
    groupIndex: input.groupIndex,
    channels: input.channels,
    policy: input.policy,
    seed: input.seed,
    coins: withFresh({}, input.symbols),
    feedRate: EMPTY_FEED_RATE,
    symbolRates: {},
    dataStalls: 0,
    symbolStalls: 0,
    readingPaused: false,
    connectionAttempts: 0,
    connectionSuccesses: 0,
    subscriptionAttempts: 0,
    subscriptionSuccesses: 0,
    subscriptionFailures: 0,
    recoveryAttempts: 0,
    recoverySuccesses: 0,
    consecutiveFailures: 0,
    recovering: false,
    nextDelayMs: 0,
    rotations: 0,
    framesReceived: 0,
    recordsReceived: 0,
    malformedFrames: 0,
  }),
  entry: { type: 'spawnCoins', params: ({ context }) => ({ symbols: Object.keys(context.coins) }) },
  initial: 'Ready',
  // Membership changes are accepted in every state; a connected socket picks them up at once,
  // otherwise the next connection subscribes the new set.
  on: {
    'COINS.ADD': { actions: 'addCoins' },
    'COINS.REMOVE': { actions: 'removeCoins' },
    'REFUSED.RETRY': { actions: 'releaseRefusedCoin' },
    // backpressure is the venue's, whatever the socket is doing
    'FEED.PAUSED': { actions: 'notePaused' },
  },
  states: {
    Ready: {
      entry: { type: 'reportState', params: { state: 'Ready' } },
      on: { START: 'Connecting' },
    },
    Connecting: {
      entry: [{ type: 'reportState', params: { state: 'Connecting' } }, 'openConnection'],
      after: { connectTimeout: 'Failed' },
      on: {
        'SOCKET.OPEN': { target: 'Connected', actions: ['countConnected', 'armHealthy', 'armPing', 'startStallCheck'] },
        'SOCKET.CLOSED': 'Failed',
        'xstate.error.actor.connection': 'Failed',
      },
    },
    Connected: {
      entry: [{ type: 'reportState', params: { state: 'Connected' } }, 'armWatchdog'],
      always: { guard: 'hasIdleCoins', target: 'SubscriptionRequesting' },
      on: {
        ...WHILE_OPEN,
        'COINS.ADD': { target: 'Connected', reenter: true, actions: 'addCoins' },
        'SUBSCRIBE.RETRY': { target: 'Connected', reenter: true, actions: 'releaseWaitingCoins' },
        'REFUSED.RETRY': { target: 'Connected', reenter: true, actions: 'releaseRefusedCoin' },
        'SYMBOLS.STALLED': { target: 'Connected', reenter: true, actions: 'resubscribeStalled' },
      },
    },
    SubscriptionRequesting: {
      entry: [{ type: 'reportState', params: { state: 'SubscriptionRequesting' } }, 'requestIdleCoins'],
      always: { guard: 'noCoinRequested', target: 'Connected' },
      on: {
        ...WHILE_OPEN,
        'SUBSCRIBE.TIMEOUT': { actions: 'refuseCoins' },
        'COINS.ADD': { actions: ['addCoins', 'requestIdleCoins'] },
        'SUBSCRIBE.RETRY': { actions: ['releaseWaitingCoins', 'requestIdleCoins'] },
        'REFUSED.RETRY': { actions: ['releaseRefusedCoin', 'requestIdleCoins'] },
        'SYMBOLS.STALLED': { actions: ['resubscribeStalled', 'requestIdleCoins'] },
      },
    },
    Failed: {
      entry: [{ type: 'reportState', params: { state: 'Failed' } }, 'tearDown'],
      initial: 'Deciding',
      states: {
        Deciding: {
          always: [{ guard: 'budgetSpent', target: 'GaveUp' }, { target: '#connector.Recovering' }],
        },
        GaveUp: {
          entry: 'reportGaveUp',
        },
      },
    },
    Recovering: {
      entry: [{ type: 'reportState', params: { state: 'Recovering' } }, 'planReconnect'],
      after: { reconnectDelay: 'Connecting' },
    },
  },
});

export type ConnectorMachine = typeof connectorMachine;
