/**
 * The scenario file of a scripted simulation run (docs/architecture.md#simulator), validated with zod so that a bad
 * field is named with its path (`faults.2.at: expected number`). Rules zod cannot express alone
 * (a venue the project does not speak, a fault naming a venue the scenario does not simulate)
 * are checked in load.ts.
 */
import { z } from 'zod';
import { EXCHANGE_IDS, MARKETS, type ExchangeId, type Market } from '../records.js';
import { DEFAULT_TIMING, type BookFaultKind, type SimFaultKind, type SimTiming } from '../sim/types.js';
import { MAX_SCENARIO_DURATION_MS, MAX_SIM_RATE_PER_SYMBOL, MAX_SIM_SYMBOLS_PER_VENUE } from '../sim/rate-limits.js';

/**
 * The faults on order books (a scenario collecting books: `tickvisor.channels` includes `book`):
 * a book frame not sent, an OKX frame with a wrong checksum, a frame sent after the next one,
 * a stale REST depth snapshot, the venue's 429 on the REST depth snapshot.
 */
export const BOOK_FAULT_KINDS = ['book-drop', 'book-checksum', 'book-out-of-order', 'book-stale-snapshot', 'book-snapshot-429'] as const satisfies readonly BookFaultKind[];
type MissingBookKinds = Exclude<BookFaultKind, (typeof BOOK_FAULT_KINDS)[number]>;
const noMissingBookKinds: MissingBookKinds extends never ? true : never = true;
void noMissingBookKinds;

/** Every fault kind the simulator injects; `satisfies` keeps this list and SimFaultKind in step. */
export const FAULT_KINDS = [
  'disconnect',
  'stall',
  'malformed',
  'reject-subscribe',
  'rest-429',
  'drop-messages',
  'server-restart',
  'slow',
  'duplicate-frames',
  'replay-frames',
  'out-of-order',
  'clock-skew',
  'rest-5xx',
  'rest-timeout',
  'rest-partial',
  'rest-empty',
  'rest-ts-mismatch',
  'stall-buffered',
  'stall-data-only',
  'delist',
  ...BOOK_FAULT_KINDS,
] as const satisfies readonly SimFaultKind[];

// the reverse check: a kind added to SimFaultKind but not here fails to compile
type MissingKinds = Exclude<SimFaultKind, (typeof FAULT_KINDS)[number]>;
const noMissingKinds: MissingKinds extends never ? true : never = true;
void noMissingKinds;

/**
 * Faults injected into the collector under test rather than into the simulated exchange:
 * `store-full` makes every store commit fail for `durationMs` (as on a full disk), then recover;
 * `kill-collector` SIGKILLs the collector (then run in a child process) and starts it again on the
 * same store after `durationMs` (default at once).
 */
export const COLLECTOR_FAULT_KINDS = ['store-full', 'kill-collector'] as const;
export type CollectorFaultKind = (typeof COLLECTOR_FAULT_KINDS)[number];

/**
 * Faults of a cluster scenario (`cluster:`), played on its processes:
 * `kill-node` SIGKILLs a tickvisor node (started again on its store after `durationMs`, else left
 * dead); `restart-node` stops one gracefully and starts it again after `durationMs` (default at
 * once); `kill-nats` SIGKILLs one NATS server (started again on its store after `durationMs`, else
 * left dead); `isolate-node` cuts a node off NATS for `durationMs` while its exchange sockets stay
 * up. `node` / `server` pick the victim by index; without one, the node holding the first venue's
 * unit, and the server leading the stream.
 */
export const CLUSTER_FAULT_KINDS = ['kill-node', 'restart-node', 'kill-nats', 'isolate-node'] as const;
export type ClusterFaultKind = (typeof CLUSTER_FAULT_KINDS)[number];

/** a scenario runs at most this many nodes and NATS servers (all on this machine) */
export const MAX_CLUSTER_NODES = 5;
export const MAX_NATS_SERVERS = 5;

const ms = z.number().int().nonnegative().max(MAX_SCENARIO_DURATION_MS, { error: `at most ${MAX_SCENARIO_DURATION_MS} ms (one week)` });
const rate = z.number().nonnegative().max(MAX_SIM_RATE_PER_SYMBOL, { error: `at most ${MAX_SIM_RATE_PER_SYMBOL} per second per symbol (what one simulator process can play)` });

const exchangeId = z.enum(EXCHANGE_IDS as [ExchangeId, ...ExchangeId[]]);
const market = z.enum(MARKETS as [Market, ...Market[]]);

/** `BTC/USDT` for spot, `BTC/USDT:USDT` for linear perpetuals (ccxt's convention). */
const symbolText = z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, {
  error: (issue) => `expected a unified symbol such as BTC/USDT or BTC/USDT:USDT, got ${JSON.stringify(issue.input)}`,
});

const symbolObject = z
  .object(
    {
      symbol: symbolText,
      tradesPerSecond: rate.optional(),
      tickersPerSecond: rate.optional(),
      price: z.number().positive().optional(),
      status: z.enum(['trading', 'halted']).optional(),
    },
    { error: 'expected a symbol string or {symbol, tradesPerSecond, tickersPerSecond, price}' },
  )
  .strict();

/** A symbol may be written as a bare string; it is read as `{ symbol }` with the scenario's rates. */
const symbolEntry = z.preprocess((v) => (typeof v === 'string' ? { symbol: v } : v), symbolObject);

const venueSchema = z
  .object({
    exchange: exchangeId,
    market,
    symbols: z.array(symbolEntry).min(1).max(MAX_SIM_SYMBOLS_PER_VENUE),
  })
  .strict();

/** Every SimTiming field, optional, a non-negative number; an unknown one is named. */
const timingSchema = z
  .object(
    Object.fromEntries(Object.keys(DEFAULT_TIMING).map((k) => [k, z.number().nonnegative().optional()])) as {
      [K in keyof SimTiming]: z.ZodOptional<z.ZodNumber>;
    },
  )
  .strict();

const faultSchema = z
  .object({
    /** ms after the start of the run */
    at: ms,
    kind: z.enum([...FAULT_KINDS, ...COLLECTOR_FAULT_KINDS, ...CLUSTER_FAULT_KINDS]),
    exchange: exchangeId.optional(),
    market: market.optional(),
    durationMs: ms.optional(),
    count: z.number().int().positive().optional(),
    latencyMs: ms.optional(),
    symbols: z.array(symbolText).min(1).optional(),
    /** clock-skew, rest-ts-mismatch: ms ahead (> 0) or behind (< 0) */
    skewMs: z.number().int().optional(),
    /** rest-5xx: the status answered */
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)], { error: 'expected one of 500|502|503|504' }).optional(),
    /** rest-partial: rows per trade page */
    rows: z.number().int().positive().optional(),
    /** out-of-order: frames shuffled together */
    windowFrames: z.number().int().min(2).optional(),
    /** pin a socket fault to the Nth open socket of each matching venue */
    connection: z.number().int().nonnegative().optional(),
    /** kill-node, restart-node, isolate-node: the node (0-based); default the holder of the first venue's unit */
    node: z.number().int().nonnegative().optional(),
    /** kill-nats: the NATS server (0-based); default the one leading the stream */
    server: z.number().int().nonnegative().optional(),
  })
  .strict();

/** `cluster:` — the run starts NATS servers, tickvisor nodes in processes of their own and an archiver, and judges the archive */
const clusterRunSchema = z
  .object({
    nodes: z.number().int().min(1).max(MAX_CLUSTER_NODES).default(3),
    natsServers: z.number().int().min(1).max(MAX_NATS_SERVERS).default(3),
    redundancy: z.union([z.literal(1), z.literal(2)], { error: 'expected 1 or 2' }).default(1),
    /** the nodes' lease TTL (default 6 s: a failover within a short run) */
    leaseTtlMs: z.number().int().min(3_000).max(120_000).default(6_000),
  })
  .strict();

const expectSchema = z
  .object({
    /** generated trades missing from the store */
    lost: z.number().int().nonnegative().default(0),
    /** trades stored more than once */
    duplicated: z.number().int().nonnegative().default(0),
    maxAlerts: z.number().int().nonnegative().optional(),
    minStored: z.number().int().nonnegative().optional(),
    /** every coin is Subscribed when the run ends */
    subscribedAtEnd: z.boolean().optional(),
    /** alerts of these kinds were raised at least this often, e.g. `{ recovery-failed: 1 }` */
    alerts: z.record(z.string().min(1), z.number().int().positive()).optional(),
    /** these coins end the run in these states (Subscribed, Stopped, ...) */
    coins: z
      .array(z.object({ exchange: exchangeId, market, symbol: symbolText, state: z.string().min(1) }).strict())
      .min(1)
      .optional(),
    /**
     * books (a scenario collecting them): at most `mismatched` sampled books differ from the true
     * book (default 0, checked whenever books are collected), at least `minCompared` samples were
     * compared (default 1), every book live at the end, at least `minResyncs` resyncs (the fault was seen)
     */
    books: z
      .object({
        mismatched: z.number().int().nonnegative().default(0),
        minCompared: z.number().int().nonnegative().default(1),
        liveAtEnd: z.boolean().optional(),
        minResyncs: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    seed: z.number().int().default(1),
    durationMs: z.number().int().positive().max(MAX_SCENARIO_DURATION_MS, { error: `at most ${MAX_SCENARIO_DURATION_MS} ms (one week)` }),
    /** rates for symbols written as bare strings (the same defaults as the configuration's simulator) */
    tradesPerSecond: rate.default(5),
    tickersPerSecond: rate.default(1),
    venues: z.array(venueSchema).min(1),
    timing: timingSchema.optional(),
    faults: z.array(faultSchema).default([]),
    /**
     * how long the run waits after the timeline (and after any fault that outlasts it) for every
     * coin to be Subscribed again and every gap to be filled; default 60 s (`simulate --settle-timeout`)
     */
    settleTimeoutMs: z.number().int().positive().max(2 ** 31 - 1).optional(),
    /**
     * Overrides of the tickvisor configuration under test (groupSize, channels, connector and
     * supervision knobs...). Free-form here: the configuration's own schema validates it when the
     * run builds its configuration, so the two never drift apart.
     */
    tickvisor: z.record(z.string(), z.unknown()).optional(),
    cluster: clusterRunSchema.optional(),
    expect: expectSchema.default({ lost: 0, duplicated: 0 }),
  })
  .strict();

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioVenue = Scenario['venues'][number];
export type ScenarioFault = Scenario['faults'][number];
/** a fault the simulated exchange plays (everything but the collector faults) */
export type SimScenarioFault = ScenarioFault & { kind: SimFaultKind };
export type CollectorScenarioFault = ScenarioFault & { kind: CollectorFaultKind };
export type ClusterScenarioFault = ScenarioFault & { kind: ClusterFaultKind };
export type ScenarioCluster = NonNullable<Scenario['cluster']>;
export const isCollectorFault = (f: ScenarioFault): f is CollectorScenarioFault =>
  (COLLECTOR_FAULT_KINDS as readonly string[]).includes(f.kind);
export const isClusterFault = (f: ScenarioFault): f is ClusterScenarioFault => (CLUSTER_FAULT_KINDS as readonly string[]).includes(f.kind);
export const isSimFault = (f: ScenarioFault): f is SimScenarioFault => !isCollectorFault(f) && !isClusterFault(f);
export type ScenarioExpect = Scenario['expect'];

/** the scenario's collector keeps order books (`tickvisor.channels` names `book`) */
export function scenarioCollectsBooks(scenario: Pick<Scenario, 'tickvisor'>): boolean {
  const channels = scenario.tickvisor?.channels;
  return Array.isArray(channels) && channels.includes('book');
}

/** levels per side the collector keeps and the run compares (`tickvisor.bookDepth`, else the configuration's default 10) */
export function scenarioBookDepth(scenario: Pick<Scenario, 'tickvisor'>): number {
  const depth = scenario.tickvisor?.bookDepth;
  return typeof depth === 'number' && Number.isInteger(depth) && depth > 0 ? depth : 10;
}
