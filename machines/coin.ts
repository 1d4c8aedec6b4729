/**
 * Coin: one symbol's subscription (design §4.1).
 *   Ready      waiting to be requested
 *   Requested  subscribe request sent
 *   Subscribed confirmed (ack or first data): data arriving
 *   Stopped    collection stopped (removed, delisted, or refused too often)
 *
 * Owned by its Connector, which sends it what happened on the wire. Per-tick data never comes
 * here (DESIGN §2): receive times and intervals are counted on the data path.
 */
import { assign, setup } from 'xstate';
import type { ExchangeId, Market } from '../src/records.js';

export interface CoinInput {
  exchange: ExchangeId;
  market: Market;
  symbol: string;
  /** refusals (reject or timeout) in a row before the coin stops for good */
  maxSubscribeFailures: number;
}

export interface CoinContext extends CoinInput {
  subscribeRequests: number;
  subscribeFailures: number;
  /** refusals since the last confirmation */
  failuresInRow: number;
  lastError?: string;
  stopReason?: string;
}

export type CoinEvent =
  | { type: 'REQUEST' }
  | { type: 'CONFIRM' }
  | { type: 'REJECT'; reason: string }
  | { type: 'CONNECTION.LOST' }
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
    countFailure: assign(({ context, event }) => ({
      subscribeFailures: context.subscribeFailures + 1,
      failuresInRow: context.failuresInRow + 1,
      lastError: event.type === 'REJECT' ? event.reason : context.lastError,
    })),
    clearFailures: assign({ failuresInRow: 0 }),
    recordStop: assign({
      stopReason: ({ event, context }) =>
        event.type === 'STOP' ? event.reason : event.type === 'REJECT' ? `refused: ${event.reason}` : context.stopReason,
    }),
  },
  guards: {
    refusedTooOften: ({ context }) => context.failuresInRow + 1 >= context.maxSubscribeFailures,
  },
}).createMachine({
  id: 'coin',
  context: ({ input }) => ({ ...input, subscribeRequests: 0, subscribeFailures: 0, failuresInRow: 0 }),
  initial: 'Ready',
  states: {
    Ready: {
      on: {
        REQUEST: { target: 'Requested', actions: 'countRequest' },
        STOP: { target: 'Stopped', actions: 'recordStop' },
      },
    },
    Requested: {
      on: {
        CONFIRM: { target: 'Subscribed', actions: 'clearFailures' },
        REJECT: [
          { guard: 'refusedTooOften', target: 'Stopped', actions: ['countFailure', 'recordStop'] },
          { target: 'Ready', actions: 'countFailure' },
        ],
        'CONNECTION.LOST': { target: 'Ready' },
        STOP: { target: 'Stopped', actions: 'recordStop' },
      },
    },
    Subscribed: {
      on: {
        'CONNECTION.LOST': { target: 'Ready' },
        STOP: { target: 'Stopped', actions: 'recordStop' },
      },
    },
    Stopped: {
      on: {
        RESUME: { target: 'Ready', actions: assign({ failuresInRow: 0, stopReason: undefined }) },
      },
    },
  },
});
