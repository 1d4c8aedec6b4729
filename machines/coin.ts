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
 * With the `book` channel, Subscribed shows the symbol's order book: Syncing (being built from a
 * snapshot), Live (consistent), Resyncing (it broke and is being rebuilt). Those sub-states follow
 * BOOK.STATE, told only when the book's state changes — book updates never come here. Without
 * books, a subscribed coin is Subscribed.Streaming.
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
  /** the subscription carries the symbol's order book */
  book?: boolean;
}

export type CoinBookState = 'syncing' | 'live' | 'resyncing';

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
  /** the book's state as last told (kept across states, so a book told before the ack shows at once) */
  bookState?: CoinBookState;
  /** why the book last broke */
  bookReason?: string;
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
  | { type: 'RESUME' }
  /** the symbol's order book changed state (only on a change, never per update) */
  | { type: 'BOOK.STATE'; state: CoinBookState; reason?: string };

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
    recordBook: assign(({ event, context }) =>
      event.type === 'BOOK.STATE' ? { bookState: event.state, bookReason: event.reason ?? context.bookReason } : {},
    ),
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
    noBook: ({ context }) => context.book !== true,
    bookLive: ({ context }) => context.bookState === 'live',
    bookResyncing: ({ context }) => context.bookState === 'resyncing',
  },
}).createMachine({
  id: 'coin',
  context: ({ input }) => ({ ...input, subscribeRequests: 0, subscribeFailures: 0, failuresInRow: 0, dataStalls: 0 }),
  initial: 'Ready',
  on: {
    'BOOK.STATE': { actions: 'recordBook' },
  },
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
      initial: 'Entering',
      states: {
        /** picks the sub-state from what is known of the book */
        Entering: {
          always: [
            { guard: 'noBook', target: 'Streaming' },
            { guard: 'bookLive', target: 'Live' },
            { guard: 'bookResyncing', target: 'Resyncing' },
            { target: 'Syncing' },
          ],
        },
        /** trades and tickers only: no book to show */
        Streaming: {},
        Syncing: {},
        Live: {},
        Resyncing: {},
      },
      on: {
        'CONNECTION.LOST': { target: 'Ready' },
        'DATA.STALLED': { target: 'Ready', actions: 'countStall' },
        STOP: { target: 'Stopped', actions: 'recordStop' },
        'BOOK.STATE': { target: '.Entering', actions: 'recordBook' },
      },
    },
    Stopped: {
      on: {
        RESUME: { target: 'Ready', actions: assign({ failuresInRow: 0, stopReason: undefined, refusedReason: undefined }) },
      },
    },
  },
});
