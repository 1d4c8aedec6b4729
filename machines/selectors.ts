/**
 * What the rest of the program reads off the machines' snapshots, typed against the machines' own
 * context types: the tree (kinds, states, children, supervisors' restart records) and the counters.
 * A context field renamed or retyped breaks the build here, and a counter renamed here breaks the
 * build of every reader that names it (state tree, metrics, health), instead of a series going
 * silently empty.
 *
 * Which machine an actor runs is told by its id (ids.ts names every actor of the tree), so a
 * snapshot is read as that machine's snapshot in one place: `readActor`.
 */
import type { AnyActorRef } from 'xstate';
import { COIN_STATE_CODES, type CoinContext } from './coin.js';
import type { CollectorContext, GapStats } from './collector.js';
import type { ConnectorContext } from './connector.js';
import type { ManagerContext } from './manager.js';
import type { ChildRecord } from './supervision.js';

export type ActorKind = 'manager' | 'collector' | 'connector' | 'coin' | 'connection' | 'other';

/** The kind of actor an id names (ids.ts). */
export function actorKind(id: string): ActorKind {
  if (id === 'manager') return 'manager';
  const head = id.split(':')[0];
  return head === 'collector' || head === 'connector' || head === 'coin' || head === 'connection' ? head : 'other';
}

/** Children that belong in the tree: collectors, connectors and coins (not sockets, not the gap filler). */
export function isTreeChild(id: string): boolean {
  const kind = actorKind(id);
  return id.includes(':') && (kind === 'collector' || kind === 'connector' || kind === 'coin');
}

/** The counters are the contexts' own fields: a field renamed or retyped breaks these types. */
export type ConnectorCounters = Pick<
  ConnectorContext,
  | 'connectionAttempts'
  | 'connectionSuccesses'
  | 'subscriptionAttempts'
  | 'subscriptionSuccesses'
  | 'subscriptionFailures'
  | 'recoveryAttempts'
  | 'recoverySuccesses'
  | 'consecutiveFailures'
  | 'framesReceived'
  | 'recordsReceived'
  | 'malformedFrames'
  | 'rotations'
  | 'dataStalls'
  | 'symbolStalls'
>;

export type CoinCounters = Pick<CoinContext, 'subscribeRequests' | 'subscribeFailures' | 'dataStalls'>;

/** A collector's gap figures, each as `gaps.<name>`. */
export type GapCounters = { [K in keyof GapStats as `gaps.${K}`]: number };

export type CollectorCounters = Pick<CollectorContext, 'errors' | 'listingFailures'> & GapCounters;

export type ManagerCounters = Pick<ManagerContext, 'alerts'>;

/** What a supervisor's record says of one child's restarts. */
export type RestartCounters = Pick<ChildRecord, 'restartAttempts' | 'restartSuccesses'>;

/** Every counter an actor of the tree may carry; each kind carries its own. */
export type ActorCounters = Partial<ConnectorCounters & CoinCounters & CollectorCounters & ManagerCounters & RestartCounters>;
export type ActorCounterName = keyof ActorCounters;

export function connectorCounters(c: ConnectorContext): ConnectorCounters {
  return {
    connectionAttempts: c.connectionAttempts,
    connectionSuccesses: c.connectionSuccesses,
    subscriptionAttempts: c.subscriptionAttempts,
    subscriptionSuccesses: c.subscriptionSuccesses,
    subscriptionFailures: c.subscriptionFailures,
    recoveryAttempts: c.recoveryAttempts,
    recoverySuccesses: c.recoverySuccesses,
    consecutiveFailures: c.consecutiveFailures,
    framesReceived: c.framesReceived,
    recordsReceived: c.recordsReceived,
    malformedFrames: c.malformedFrames,
    rotations: c.rotations,
    dataStalls: c.dataStalls,
    symbolStalls: c.symbolStalls,
  };
}

export function coinCounters(c: CoinContext): CoinCounters {
  return { subscribeRequests: c.subscribeRequests, subscribeFailures: c.subscribeFailures, dataStalls: c.dataStalls };
}

export function collectorCounters(c: CollectorContext): CollectorCounters {
  const g = c.gaps;
  return {
    errors: c.errors,
    listingFailures: c.listingFailures,
    'gaps.detected': g.detected,
    'gaps.merged': g.merged,
    'gaps.filled': g.filled,
    'gaps.unfilled': g.unfilled,
    'gaps.backfilledTrades': g.backfilledTrades,
    'gaps.failures': g.failures,
    'gaps.pending': g.pending,
  };
}

export function managerCounters(c: ManagerContext): ManagerCounters {
  return { alerts: c.alerts };
}

export function restartCounters(r: ChildRecord): RestartCounters {
  return { restartAttempts: r.restartAttempts, restartSuccesses: r.restartSuccesses };
}

/** A state value as its top-level state and its full dotted path: `{ Failed: 'GaveUp' }` → Failed, Failed.GaveUp. */
export function stateText(value: unknown): { state: string; detail: string } {
  if (typeof value === 'string') return { state: value, detail: value };
  if (value && typeof value === 'object') {
    const [head, rest] = Object.entries(value)[0] ?? ['?', undefined];
    const inner = stateText(rest);
    return { state: head, detail: rest === undefined ? head : `${head}.${inner.detail}` };
  }
  return { state: 'unknown', detail: 'unknown' };
}

/** What the state tree reads off one actor. */
export interface ActorReading {
  kind: ActorKind;
  state: string;
  detail: string;
  counters: ActorCounters;
  lastError?: string;
  /** a collector's configured symbols its venue does not list */
  unknownSymbols?: string[];
  /** a supervisor's records of its children, by child id: they outlive a child being restarted */
  childRecords?: Record<string, ChildRecord>;
  /** the live children that belong in the tree, by id */
  children: Array<[string, AnyActorRef]>;
}

interface SnapshotOf<TContext> {
  value?: unknown;
  status?: string;
  context?: TContext;
  children?: Record<string, AnyActorRef | undefined>;
}

/** Only numbers: an actor that is not (yet) the machine its id names shows no counter rather than a wrong one. */
function numbersOnly(counters: ActorCounters): ActorCounters {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** One actor, read as the machine its id names. */
export function readActor(ref: AnyActorRef, id: string): ActorReading {
  const kind = actorKind(id);
  const raw: SnapshotOf<unknown> = ref.getSnapshot();
  const { state, detail } =
    raw.value === undefined ? { state: raw.status ?? 'active', detail: raw.status ?? 'active' } : stateText(raw.value);
  const children: Array<[string, AnyActorRef]> = [];
  for (const [childId, child] of Object.entries(raw.children ?? {})) if (child && isTreeChild(childId)) children.push([childId, child]);
  const base = { kind, state, detail, children };
  if (raw.context === undefined || raw.context === null) return { ...base, counters: {} };
  switch (kind) {
    case 'manager': {
      const c = (raw as SnapshotOf<ManagerContext>).context!;
      return { ...base, counters: numbersOnly(managerCounters(c)), ...records(c.collectors) };
    }
    case 'collector': {
      const c = (raw as SnapshotOf<CollectorContext>).context!;
      return {
        ...base,
        counters: numbersOnly(collectorCounters(c)),
        ...lastError(c.lastError),
        ...(Array.isArray(c.unknownSymbols) && c.unknownSymbols.length > 0 ? { unknownSymbols: c.unknownSymbols.filter((x) => typeof x === 'string') } : {}),
        ...records(c.connectors),
      };
    }
    case 'connector': {
      const c = (raw as SnapshotOf<ConnectorContext>).context!;
      return { ...base, counters: numbersOnly(connectorCounters(c)), ...lastError(c.lastError) };
    }
    case 'coin': {
      const c = (raw as SnapshotOf<CoinContext>).context!;
      return { ...base, counters: numbersOnly(coinCounters(c)), ...lastError(c.lastError) };
    }
    default:
      return { ...base, counters: {} };
  }
}

function lastError(error: string | undefined): { lastError?: string } {
  return typeof error === 'string' ? { lastError: error } : {};
}

function records(children: Record<string, ChildRecord> | undefined): { childRecords?: Record<string, ChildRecord> } {
  return children && typeof children === 'object' ? { childRecords: children } : {};
}

/** A snapshot as the inspection stream hands it over (`@xstate.snapshot`): not yet known to be a machine's. */
function asSnapshot<TContext>(snapshot: unknown): SnapshotOf<Partial<TContext>> {
  return snapshot !== null && typeof snapshot === 'object' ? (snapshot as SnapshotOf<Partial<TContext>>) : {};
}

/** A Connector's or Collector's inspected snapshot: its state value and why it last failed. */
export function readFailure(snapshot: unknown): { value: unknown; lastError?: string } {
  const s = asSnapshot<ConnectorContext | CollectorContext>(snapshot);
  const error = s.context?.lastError;
  return { value: s.value, ...(typeof error === 'string' ? { lastError: error } : {}) };
}

/** What the refusal alerting reads off a Coin's inspected snapshot. */
export interface CoinReading {
  /** the actor's status (`stopped` once the coin actor is gone) */
  status?: string;
  /** its top-level state, '' when it has none */
  state: string;
  /** which coin; absent when the snapshot does not say */
  coin?: Pick<CoinContext, 'exchange' | 'market' | 'symbol'>;
  /** set while the coin is stopped because the exchange refused it */
  refusedReason?: string;
  /** refusals in a row, as counted at the last refusal */
  failuresInRow: number;
}

function coinStateName(value: unknown): string {
  if (value === undefined) return '';
  const name = stateText(value).state;
  return Object.hasOwn(COIN_STATE_CODES, name) ? name : '';
}

export function readCoin(snapshot: unknown): CoinReading {
  const s = asSnapshot<CoinContext>(snapshot);
  const c = s.context;
  return {
    ...(s.status !== undefined ? { status: s.status } : {}),
    // the state's name without its sub-state (Subscribed.Live → Subscribed); a name no Coin has reads as nothing
    state: coinStateName(s.value),
    ...(c?.exchange && c.market && c.symbol ? { coin: { exchange: c.exchange, market: c.market, symbol: c.symbol } } : {}),
    ...(typeof c?.refusedReason === 'string' ? { refusedReason: c.refusedReason } : {}),
    failuresInRow: typeof c?.failuresInRow === 'number' ? c.failuresInRow : 0,
  };
}
