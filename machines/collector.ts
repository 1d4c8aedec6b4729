/**
 * Collector: one exchange × market (docs/architecture.md#machines).
 *   Ready    created, not yet started
 *   Running  listing the market's coins, running one Connector per coin group, supervising them
 *   Stopped  every connector stopped
 *
 * Running nests the collection's own steps: Listing (REST, provided as the `listSymbols` actor),
 * ListingFailed (retry with backoff), Supervising (periodic market refresh), GaveUp (could never
 * list the market: reported to the Manager).
 *
 * Second level of supervision: a Connector that gives up or crashes is stopped and restarted as a
 * fresh actor after an exponential backoff with jitter; past the restart intensity it is parked
 * and the failure escalates to the Manager. Siblings are never touched (one_for_one).
 */
import { assign, enqueueActions, fromCallback, fromPromise, setup, type AnyActorRef } from 'xstate';
import type { Channel, ExchangeId, Market } from '../src/records.js';
import { planGroups, diffGroups } from '../src/grouping/group-symbols.js';
import { resolveSymbols, type ListedName } from '../src/symbols/resolve-symbols.js';
import { connectorMachine, type ConnectorPolicy, type ConnectorReport } from './connector.js';
import { collectorId, connectorId } from './ids.js';
import { nextRandom } from '../src/prng.js';
import { sendToParentIfAny } from './report.js';
import {
  allTimerIds,
  backoffDelay,
  errorText,
  expireChildWindow,
  newChildRecord,
  noteChildState,
  restartedChild,
  restartTimerIds,
  superviseFailure,
  type BackoffPolicy,
  type ChildRecord,
  type RestartPolicy,
  type SupervisorTimerEvent,
} from './supervision.js';

export interface CollectorInput {
  exchange: ExchangeId;
  market: Market;
  /** collect only these unified symbols; undefined: every active symbol (after `quotes`) */
  symbols?: string[];
  /** with `symbols` undefined: only symbols quoted in these assets */
  quotes?: string[];
  channels: Channel[];
  /** symbols per connector: the `groupSize` tuning point, capped by the stream limit */
  groupSize: number;
  maxStreamsPerConnection: number;
  connectorPolicy: ConnectorPolicy;
  restart: RestartPolicy;
  /** re-list the market this often to pick up listings and delistings; 0: never */
  refreshIntervalMs: number;
  listingRetry: BackoffPolicy;
  /** initial listing failures in a row before the collector gives up and tells the Manager */
  maxListingFailures: number;
  seed: number;
}

export interface ListSymbolsInput {
  exchange: ExchangeId;
  market: Market;
}

/** What a market listing yields: active unified symbols, optionally with expected message rates. */
export interface Listing {
  symbols: string[];
  rates?: Record<string, number>;
  /** the venue's own id of each listed symbol: a configured `BTCUSDT` then names `BTC/USDT` */
  names?: ListedName[];
}

/** Gap detection and REST backfill, as counted by the provided `gapFiller` actor (data path). */
export interface GapStats {
  detected: number;
  /** windows that joined one already waiting for the same symbol: filled (or not) by its request */
  merged: number;
  filled: number;
  unfilled: number;
  backfilledTrades: number;
  failures: number;
  pending: number;
}

export interface ConnectorRecord extends ChildRecord {
  groupIndex: number;
}

export interface CollectorContext extends CollectorInput {
  groups: string[][];
  connectors: Record<string, ConnectorRecord>;
  listingFailures: number;
  /** configured symbols the exchange does not list */
  unknownSymbols: string[];
  errors: number;
  nextListingDelayMs: number;
  gaps: GapStats;
  lastError?: string;
}

export type CollectorEvent =
  | { type: 'START' }
  | { type: 'STOP' }
  | ConnectorReport
  | SupervisorTimerEvent
  | { type: 'GAPS.REPORT'; gaps: GapStats }
  | { type: `xstate.error.actor.${string}`; error: unknown };

export type CollectorReport =
  | { type: 'COLLECTOR.STATE'; id: string; state: CollectorState }
  | { type: 'COLLECTOR.GAVE_UP'; id: string; error: string }
  | { type: 'ESCALATION'; id: string; supervisor: string; error: string; restarts: number };

export const COLLECTOR_STATE_CODES = { Ready: 0, Running: 1, Stopped: 2 } as const;
export type CollectorState = keyof typeof COLLECTOR_STATE_CODES;

const unprovidedListing = fromPromise<Listing, ListSymbolsInput>(async () => {
  throw new Error('no listSymbols actor provided');
});

/** Placeholder: production provides the gap filler of the venue, which reports GAPS.REPORT. */
const noGapFiller = fromCallback<{ type: 'noop' }, ListSymbolsInput>(() => undefined);

/**
 * The configured selection applied to what the exchange lists. A configured symbol in the
 * exchange's own spelling selects the listed symbol it names (`names` gives the ids).
 */
export function selectSymbols(context: Pick<CollectorInput, 'symbols' | 'quotes'>, listed: readonly string[], names?: readonly ListedName[]) {
  if (context.symbols) {
    const byName = new Map((names ?? []).map((n) => [n.symbol, n] as const));
    const resolution = resolveSymbols(context.symbols, listed.map((symbol) => byName.get(symbol) ?? { symbol }));
    return { selected: resolution.symbols, unknown: resolution.unknown.map((u) => u.given) };
  }
  const quotes = context.quotes && context.quotes.length > 0 ? new Set(context.quotes) : undefined;
  const selected = listed.filter((s) => {
    if (!quotes) return true;
    const quote = s.split('/')[1]?.split(':')[0];
    return quote !== undefined && quotes.has(quote);
  });
  return { selected, unknown: [] as string[] };
}

function connectorInput(context: CollectorContext, groupIndex: number) {
  return {
    exchange: context.exchange,
    market: context.market,
    groupIndex,
    symbols: context.groups[groupIndex] ?? [],
    channels: context.channels,
    policy: context.connectorPolicy,
    // each connector, and each restart of it, gets its own jitter stream
    seed: (context.seed ^ Math.imul(groupIndex + 1, 0x9e3779b1)) + (context.connectors[connectorId(context.exchange, context.market, groupIndex)]?.restartAttempts ?? 0),
  };
}

function report(self: AnyActorRef, context: CollectorContext, state: CollectorState): void {
  const event: CollectorReport = { type: 'COLLECTOR.STATE', id: collectorId(context.exchange, context.market), state };
  sendToParentIfAny(self, event);
}

export const collectorMachine = setup({
  types: {
    input: {} as CollectorInput,
    context: {} as CollectorContext,
    events: {} as CollectorEvent,
  },
  actors: {
    connector: connectorMachine,
    listSymbols: unprovidedListing,
    gapFiller: noGapFiller,
  },
  delays: {
    listingRetry: ({ context }) => context.nextListingDelayMs,
    refreshInterval: ({ context }) => context.refreshIntervalMs,
  },
  guards: {
    refreshEnabled: ({ context }) => context.refreshIntervalMs > 0,
    listingHopeless: ({ context }) =>
      context.groups.length === 0 && context.listingFailures >= context.maxListingFailures,
    hasGroups: ({ context }) => context.groups.length > 0,
  },
  actions: {
    reportState: ({ self, context }, params: { state: CollectorState }) => report(self, context, params.state),
    reportGaveUp: ({ self, context }) => {
      const event: CollectorReport = {
        type: 'COLLECTOR.GAVE_UP',
        id: collectorId(context.exchange, context.market),
        error: context.lastError ?? 'unknown failure',
      };
      sendToParentIfAny(self, event);
    },
    /** Initial listing or refresh: regroup stably, then start, adjust or stop only what changed. */
    applyListing: enqueueActions(({ context, enqueue }, listing: Listing) => {
      const { selected, unknown } = selectSymbols(context, listing.symbols, listing.names);
      const rates = listing.rates;
      const next = planGroups({
        symbols: selected,
        channelsPerSymbol: context.channels.length,
        maxStreamsPerConnection: context.maxStreamsPerConnection,
        groupSize: context.groupSize,
        ...(rates ? { expectedRate: (s: string) => rates[s] ?? 1 } : {}),
        previous: context.groups,
      });
      const diff = diffGroups(context.groups, next);
      const connectors = { ...context.connectors };
      enqueue.assign({ groups: next, unknownSymbols: unknown, listingFailures: 0 });
      diff.forEach((change, index) => {
        const id = connectorId(context.exchange, context.market, index);
        const existing = connectors[id];
        const members = next[index] ?? [];
        if (!existing && members.length > 0) {
          connectors[id] = { ...newChildRecord(id), groupIndex: index };
          enqueue.spawnChild('connector', {
            id,
            systemId: id,
            input: ({ context: c }) => connectorInput(c, index),
          });
          enqueue.sendTo(id, { type: 'START' });
        } else if (existing && members.length === 0) {
          enqueue.stopChild(id);
          for (const t of restartTimerIds(id)) enqueue.cancel(t);
          delete connectors[id];
        } else if (existing) {
          if (change.added.length > 0) enqueue.sendTo(id, { type: 'COINS.ADD', symbols: change.added });
          if (change.removed.length > 0) enqueue.sendTo(id, { type: 'COINS.REMOVE', symbols: change.removed });
        }
      });
      enqueue.assign({ connectors });
    }),
    countListingFailure: assign(({ context, event }) => {
      const r = nextRandom(context.seed);
      const error = 'error' in event ? errorText(event.error) : 'listing failed';
      return {
        seed: r.seed,
        listingFailures: context.listingFailures + 1,
        errors: context.errors + 1,
        lastError: `listing failed: ${error}`,
        nextListingDelayMs: backoffDelay(context.listingRetry, context.listingFailures, r.value),
      };
    }),
    noteConnectorState: assign(({ context, event }) =>
      event.type === 'CONNECTOR.STATE' ? { connectors: noteChildState(context.connectors, event.id, event.state, 'Connected') } : {},
    ),
    /** A connector gave up or crashed: stop it, then restart after a backoff or escalate. */
    superviseFailure: enqueueActions(({ context, enqueue, event, self }) =>
      superviseFailure(enqueue, {
        event,
        gaveUpType: 'CONNECTOR.GAVE_UP',
        live: self.getSnapshot().children as Record<string, AnyActorRef | undefined>,
        records: context.connectors,
        policy: context.restart,
        seed: context.seed,
        record: ({ id, error, plan }) =>
          enqueue.assign({ connectors: plan.children, seed: plan.seed, errors: context.errors + 1, lastError: `${id}: ${error}` }),
        escalate: (escalation) => {
          const report: CollectorReport = {
            type: 'ESCALATION',
            id: escalation.id,
            supervisor: collectorId(context.exchange, context.market),
            error: escalation.error,
            restarts: escalation.restarts,
          };
          enqueue(() => sendToParentIfAny(self, report));
        },
      }),
    ),
    restartConnector: enqueueActions(({ context, enqueue, event }) => {
      const restarted = restartedChild(context.connectors, event);
      if (!restarted) return;
      const { id, record } = restarted;
      enqueue.assign({ connectors: restarted.records });
      enqueue.spawnChild('connector', { id, systemId: id, input: ({ context: c }) => connectorInput(c, record.groupIndex) });
      enqueue.sendTo(id, { type: 'START' });
    }),
    expireRestart: assign(({ context, event }) => {
      const connectors = expireChildWindow(context.connectors, event);
      return connectors ? { connectors } : {};
    }),
    stopConnectors: enqueueActions(({ context, enqueue }) => {
      for (const [id, record] of Object.entries(context.connectors)) {
        enqueue.stopChild(id);
        for (const t of allTimerIds(id, record)) enqueue.cancel(t);
      }
      enqueue.assign({ connectors: {}, groups: [] });
    }),
  },
}).createMachine({
  id: 'collector',
  context: ({ input }) => ({
    ...input,
    groups: [],
    connectors: {},
    listingFailures: 0,
    unknownSymbols: [],
    errors: 0,
    nextListingDelayMs: 0,
    gaps: { detected: 0, merged: 0, filled: 0, unfilled: 0, backfilledTrades: 0, failures: 0, pending: 0 },
  }),
  initial: 'Ready',
  states: {
    Ready: {
      entry: { type: 'reportState', params: { state: 'Ready' } },
      on: { START: 'Running', STOP: 'Stopped' },
    },
    Running: {
      entry: { type: 'reportState', params: { state: 'Running' } },
      // validation runs on the data path; filling the gaps it finds is the collector's job too
      invoke: {
        id: 'gapFiller',
        src: 'gapFiller',
        input: ({ context }) => ({ exchange: context.exchange, market: context.market }),
      },
      initial: 'Listing',
      on: {
        'GAPS.REPORT': { actions: assign({ gaps: ({ event }) => event.gaps }) },
        STOP: 'Stopped',
        'CONNECTOR.STATE': { actions: 'noteConnectorState' },
        'CONNECTOR.GAVE_UP': { actions: 'superviseFailure' },
        'xstate.error.actor.*': { actions: 'superviseFailure' },
        'CHILD.RESTART': { actions: 'restartConnector' },
        'CHILD.UNPARK': { actions: 'restartConnector' },
        'CHILD.WINDOW_EXPIRED': { actions: 'expireRestart' },
      },
      states: {
        Listing: {
          invoke: {
            src: 'listSymbols',
            input: ({ context }) => ({ exchange: context.exchange, market: context.market }),
            onDone: { target: 'Supervising', actions: { type: 'applyListing', params: ({ event }) => event.output } },
            onError: { target: 'ListingFailed', actions: 'countListingFailure' },
          },
        },
        ListingFailed: {
          always: [
            { guard: 'listingHopeless', target: 'GaveUp' },
            // a failed refresh leaves the running connectors alone until the next refresh
            { guard: 'hasGroups', target: 'Supervising' },
          ],
          after: { listingRetry: 'Listing' },
        },
        Supervising: {
          after: { refreshInterval: { guard: 'refreshEnabled', target: 'Listing' } },
        },
        GaveUp: {
          entry: 'reportGaveUp',
        },
      },
    },
    Stopped: {
      entry: ['stopConnectors', { type: 'reportState', params: { state: 'Stopped' } }],
      on: { START: 'Running' },
    },
  },
});

export type CollectorMachine = typeof collectorMachine;
