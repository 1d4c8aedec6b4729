/**
 * Coin: one symbol's subscription (docs/architecture.md#machines).
 *   Ready      waiting to be requested
 *   Requested  subscribe request sent
 *   Subscribed confirmed (ack or first data): data arriving
 *   Stopped    collection stopped (removed, delisted, or refused by the exchange for good)
 *
 * Owned by its Connector, which sends it what happened on the wire. Per-tick data never comes
 * here (docs/architecture.md#data-path): receive times and intervals are counted on the data path.
 *
 * The Coin shows its subscription; it does not own it. The subscription record its Connector holds
 * (coin-subscription.ts) counts the refusals and applies the limit, and each REJECT carries that
 * count and whether it was `final`. A coin stopped by a refusal keeps `refusedReason`, which
 * the alerting reads; the Connector asks again later with backoff (RESUME), so a refusal that was
 * only temporary heals on its own.
 *
 * A subscribed coin whose data stopped while its connection's other coins kept flowing lost its
 * subscription on the exchange's side: the Connector says so (DATA.STALLED) and the coin goes back
 * to Ready, to be requested again on the same socket.
 */
import { assign, setup } from 'xstate';
import type { ExchangeId, Market } from '../src/records.js';

export interface CoinInput {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
}

export interface CoinContext extends CoinInput {
  subscribeRequests: number;
  /** refusals, every one the exchange (or the timeout) gave, including those of a split batch */
  subscribeFailures: number;
  /** refusals in a row, as the subscription record counted them at the last refusal */
  failuresInRow: number;
  lastError?: string;
  stopReason?: string;
  /** set while the coin is stopped because the exchange refused it: the exchange's reason */
  refusedReason?: string;
  /** times its data stopped while the connection's other coins flowed (each one resubscribes it) */
  dataStalls: number;
}

export type CoinEvent =
  | { type: 'REQUEST' }
  | { type: 'CONFIRM' }
  /** `failuresInRow`: the subscription record's count; `final`: at the limit, stop (retried later) */
  | { type: 'REJECT'; reason: string; failuresInRow: number; final?: boolean }
  | { type: 'CONNECTION.LOST' }
  /** its data stopped while the connection delivers: it is asked for again */
  | { type: 'DATA.STALLED'; reason: string }
  | { type: 'STOP'; reason: string }
  | { type: 'RESUME' };

export const COIN_STATE_CODES = { Ready: 0, Requested: 1, Subscribed: 2, Stopped: 3 } as const;
export type CoinState = keyof typeof COIN_STATE_CODES;

export const coinMachine = setup({
  types: {
    input: {} as CoinInput,
    context: {} as CoinContext,
    events: {} as CoinEvent,
  },
  actions: {
    countRequest: assign({ subscribeRequests: ({ context }) => context.subscribeRequests + 1 }),
    countFailure: assign(({ context, event }) =>
      event.type === 'REJECT'
        ? {
            subscribeFailures: context.subscribeFailures + 1,
            failuresInRow: event.failuresInRow,
            lastError: event.reason,
          }
        : {},
    ),
    clearFailures: assign({ failuresInRow: 0, refusedReason: undefined }),
    countStall: assign(({ context, event }) =>
      event.type === 'DATA.STALLED' ? { dataStalls: context.dataStalls + 1, lastError: event.reason } : {},
    ),
    recordStop: assign(({ event, context }) =>
      event.type === 'STOP'
        ? { stopReason: event.reason, refusedReason: undefined }
        : event.type === 'REJECT'
          ? { stopReason: `refused: ${event.reason}`, refusedReason: event.reason }
          : { stopReason: context.stopReason },
    ),
  },
  guards: {
    final: ({ event }) => event.type === 'REJECT' && event.final === true,
  },
}).createMachine({
  id: 'coin',
  context: ({ input }) => ({ ...input, subscribeRequests: 0, subscribeFailures: 0, failuresInRow: 0, dataStalls: 0 }),
  initial: 'Ready',
  states: {
    Ready: {
      on: {
        REQUEST: { target: 'Requested', actions: 'countRequest' },
        // an ack that came after the subscribe timeout: the subscription is live after all
        CONFIRM: { target: 'Subscribed', actions: 'clearFailures' },
        STOP: { target: 'Stopped', actions: 'recordStop' },
      },
    },
    Requested: {
      on: {
        CONFIRM: { target: 'Subscribed', actions: 'clearFailures' },
        REJECT: [
          { guard: 'final', target: 'Stopped', actions: ['countFailure', 'recordStop'] },
          { target: 'Ready', actions: 'countFailure' },
        ],
        'CONNECTION.LOST': { target: 'Ready' },
        STOP: { target: 'Stopped', actions: 'recordStop' },
      },
    },
    Subscribed: {
      on: {
        'CONNECTION.LOST': { target: 'Ready' },
        'DATA.STALLED': { target: 'Ready', actions: 'countStall' },
        STOP: { target: 'Stopped', actions: 'recordStop' },
      },
    },
    Stopped: {
      on: {
        RESUME: { target: 'Ready', actions: assign({ failuresInRow: 0, stopReason: undefined, refusedReason: undefined }) },
      },
    },
  },
});
