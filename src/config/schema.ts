/**
 * The configuration file (YAML or JSON), validated with zod so that a bad field is named with the
 * reason (`exchanges.0.market: expected one of spot|futures`). Every tuning point is
 * here: group size, buffer and batch sizes, backoff and restart intensity.
 */
import { z } from 'zod';
import { EXCHANGE_IDS, MARKETS, type ExchangeId, type Market } from '../records.js';
import { MAX_SIM_RATE_PER_SYMBOL } from '../sim/rate-limits.js';

const positive = z.number().positive();
const ms = z.number().int().nonnegative();

export const backoffSchema = z
  .object({
    minDelayMs: z.number().int().positive(),
    maxDelayMs: z.number().int().positive(),
    factor: z.number().min(1),
    jitter: z.number().min(0).max(1),
  })
  .strict()
  .refine((b) => b.maxDelayMs >= b.minDelayMs, { message: 'maxDelayMs must be >= minDelayMs' });

export const restartSchema = z
  .object({
    backoff: backoffSchema,
    maxRestarts: z.number().int().nonnegative(),
    windowMs: z.number().int().positive(),
    parkAfterEscalationMs: z.number().int().positive(),
  })
  .strict();

/** what one simulator process can play per symbol (src/sim/rate-limits.ts) */
const simRate = z.number().nonnegative().max(MAX_SIM_RATE_PER_SYMBOL, { error: `at most ${MAX_SIM_RATE_PER_SYMBOL} per second per symbol (what one simulator process can play)` });

const simSymbolSchema = z.union([
  z.string(),
  z
    .object({
      symbol: z.string(),
      tradesPerSecond: simRate.optional(),
      tickersPerSecond: simRate.optional(),
      price: positive.optional(),
    })
    .strict(),
]);

/**
 * The periodic REST audit (see src/audit/): it compares the exchange's recent trades with the
 * store and backfills what the live stream lost without a trace. Venues with dense trade ids
 * (Binance) see every lost frame as a hole in the ids, so the audit is off there by default and on
 * everywhere else; `enabled` overrides that either way. Set per exchange, or at the top level for
 * every exchange (a per-exchange field wins). Unset fields take the defaults in
 * src/audit/audit-options.ts: every 10 s, 50 % of the REST pace, 5 s settle, 1000 trades a request
 * (a busier window's rest is judged next, as a backlog).
 */
export const auditSchema = z
  .object({
    enabled: z.boolean().optional(),
    /** one audit (one symbol, round-robin) per this many ms per venue */
    intervalMs: z.number().int().positive().optional(),
    /** the most of the REST pace (rest.requestsPerSecond) audits may use, so gap backfills keep the rest */
    share: z.number().gt(0).max(1).optional(),
    /** how far behind now a window ends, so trades still on their way over the socket are not "missing" */
    settleMs: z.number().int().nonnegative().optional(),
    /** trades one audit may page through; a window holding more leaves its older part to the next audit */
    maxTrades: z.number().int().positive().optional(),
  })
  .strict();

/**
 * Cluster mode (docs/cluster.md): several tickvisor nodes share the work through NATS JetStream.
 * Each work unit (exchange × market) is leased through a KV bucket and collected by its holder
 * (by two holders at once with `redundancy: 2`); committed trades go to a replicated stream that
 * `tickvisor archive` consumes into a store exactly once. Without `cluster` tickvisor runs alone.
 */
/** a NATS server: nats://host:port (or tls://, or host:port) */
const natsUrl = z.string().regex(/^(?:(?:nats|tls):\/\/)?(?:[^\s:/@]+@)?[A-Za-z0-9.[\]:-]+?(?::\d{1,5})?$/, { message: 'expected a NATS server URL like nats://127.0.0.1:4222' });

export const clusterSchema = z
  .object({
    /** the NATS servers (nats://host:port), one or more of the same cluster */
    nats: z.union([natsUrl, z.array(natsUrl).min(1)]).transform((v) => (Array.isArray(v) ? v : [v])),
    /** this node's name in leases and status (default: host name and process id) */
    node: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, { message: 'letters, digits, - and _ only' }).optional(),
    /** a lease not renewed for this long lapses and another node may take the unit over */
    leaseTtlMs: z.number().int().min(1_000).default(10_000),
    /** how many nodes collect each unit at once: 2 leaves no gap when one dies */
    redundancy: z.union([z.literal(1), z.literal(2)]).default(1),
    /** replicas of the stream and the KV buckets (the NATS cluster's size, at most 5) */
    replicas: z.number().int().min(1).max(5).default(3),
    /** the JetStream stream the committed trades go to */
    stream: z.string().regex(/^[A-Za-z0-9_-]+$/).default('TICKVISOR'),
    /**
     * trades committed and not yet taken by the stream, at most: past it the node hands its units
     * to other nodes and takes none back until under half of it (bounded memory when the stream
     * stalls while the KV still answers)
     */
    maxBacklogTrades: z.number().int().min(1_000).default(1_000_000),
    /**
     * exchange-time window of one published batch (one message per symbol and window): wider
     * windows mean fewer, larger messages (less CPU in NATS and the archiver) and more latency to
     * the archive. Every node of a cluster must use the same, or redundant copies stop matching.
     */
    windowMs: z.number().int().min(10).max(60_000).default(50),
  })
  .strict();

export const exchangeSchema = z
  .object({
    // typed as the unions, so `exchange: 'kraken'` fails to typecheck in code; JSON/YAML input
    // still meets the runtime check and its one-line error
    exchange: z.enum(EXCHANGE_IDS as readonly [ExchangeId, ...ExchangeId[]]),
    market: z.enum(MARKETS as readonly [Market, ...Market[]]),
    /** unified symbols (`BTC/USDT`) or the exchange's own ids (`BTCUSDT`, checked against the listing and mapped); omitted: every active symbol (after `quotes`) */
    symbols: z.array(z.string().min(1)).min(1).optional(),
    quotes: z.array(z.string().min(1)).optional(),
    channels: z.array(z.enum(['trade', 'ticker', 'book'])).min(1).default(['trade', 'ticker']),
    /**
     * book channel: levels per side a book shows by default (tv.book, the status page); a venue
     * whose book channels are named by depth (Bybit orderbook.50|200) gets the smallest that covers it
     */
    bookDepth: z.number().int().positive().max(1000).default(10),
    /** symbols per connection; default: the adapter's */
    groupSize: z.number().int().positive().optional(),
    wsUrl: z.string().url().optional(),
    restUrl: z.string().url().optional(),
    /** point this exchange at the embedded simulator instead of the real endpoints */
    simulated: z.boolean().default(false),
    /** simulator only: symbols and their rates */
    sim: z.object({ symbols: z.array(simSymbolSchema).min(1) }).strict().optional(),
    refreshIntervalMs: ms.default(15 * 60_000),
    /** periodic REST audit for loss the live stream cannot see; default on except on Binance */
    audit: auditSchema.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    exchanges: z.array(exchangeSchema).min(1),
    store: z
      .object({
        path: z.string().min(1).default('./data'),
        batchMaxRecords: z.number().int().positive().default(5_000),
        // 2 ms: a commit takes ~1–2 ms, so a record that finds the writer idle is durable ~4 ms
        // after arrival; under load the delay does not matter, since records gather while a
        // commit runs and go out together when it ends (group commit). The cost: a durable commit
        // costs ~0.3 ms of CPU (mostly the kernel's, for the syncs) whatever its size, so at most
        // 500 commits/s is up to ~15% of a core at moderate rates; 1 ms would double that.
        // Unset: 2 ms, or CLUSTER_BATCH_DELAY_MS for a cluster node (config/batch-delay-default.ts).
        batchMaxDelayMs: z.number().int().positive().optional(),
        // while the process is saturated (its event loop busy over 80% of the time) a partial
        // batch may wait up to this long instead, so batches grow and the store's cost per trade
        // falls (ingest/batch-delay.ts); at the rates where a short delay matters it is unused
        batchBusyDelayMs: z.number().int().positive().default(10),
        maxBufferedRecords: z.number().int().positive().default(200_000),
        mapSizeMB: z.number().int().positive().optional(),
        /**
         * keep every raw frame as received (receive time, connection id) beside the records, so
         * `tickvisor reparse` can rebuild history with later parsers; off by default (it costs
         * disk roughly the size of the wire traffic)
         */
        raw: z.boolean().default(false),
        /** raw frames older than this are pruned (default 7 days) */
        rawMaxAgeMs: z.number().int().positive().default(7 * 24 * 60 * 60_000),
        /** raw frames beyond this many bytes are pruned, oldest first (default 2 GiB) */
        rawMaxBytes: z.number().int().positive().default(2 * 1024 ** 3),
        /** examples of each (exchange, market, reason) kept in the quarantine */
        quarantineExamples: z.number().int().nonnegative().max(1000).default(20),
      })
      .strict()
      .default({
        path: './data', batchMaxRecords: 5_000, batchBusyDelayMs: 10, maxBufferedRecords: 200_000,
        raw: false, rawMaxAgeMs: 7 * 24 * 60 * 60_000, rawMaxBytes: 2 * 1024 ** 3, quarantineExamples: 20,
      }),
    connector: z
      .object({
        connectTimeoutMs: z.number().int().positive().optional(),
        subscribeTimeoutMs: z.number().int().positive().optional(),
        silenceTimeoutMs: z.number().int().positive().optional(),
        maxConsecutiveFailures: z.number().int().positive().optional(),
        healthyAfterMs: z.number().int().positive().optional(),
        maxSubscribeFailures: z.number().int().positive().optional(),
        subscribeRetryMs: z.number().int().positive().optional(),
        /** replace each socket make-before-break this long after it opened; default: before the exchange's lifetime */
        rotateAfterMs: z.number().int().nonnegative().optional(),
        /** client keep-alive ping interval; default: the adapter's */
        pingIntervalMs: z.number().int().positive().optional(),
        reconnect: backoffSchema.optional(),
        /** backoff before asking again for a symbol the exchange refused for good */
        refusedRetry: backoffSchema.optional(),
        /**
         * data-stall detection: silence judged against the connection's usual data rate (a stall
         * reconnects), and each symbol's against its own (one silent symbol is subscribed again)
         */
        stall: z
          .object({
            checkEveryMs: z.number().int().nonnegative().optional(),
            expectedGaps: z.number().positive().optional(),
            minSilenceMs: z.number().int().positive().optional(),
            warmupMs: z.number().int().nonnegative().optional(),
            busyWarmupFrames: z.number().int().positive().optional(),
            busyWarmupMs: z.number().int().nonnegative().optional(),
            memoryMs: z.number().int().positive().optional(),
            longestGapFactor: z.number().nonnegative().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    supervision: z
      .object({ connector: restartSchema.optional(), collector: restartSchema.optional() })
      .strict()
      .default({}),
    rest: z
      .object({
        /**
         * client-side pace per venue (host, or simulated venue), so we stay under the limits instead
         * of discovering them; a burst lets a reconnect's backfill of many symbols go out at once.
         * On top of this pace every venue has one REST budget shared by listing, backfill and
         * audits, in the venue's own units: Binance request weight (6000 a minute spot, 2400
         * futures; a history page weighs 25 spot, aggTrades 20 futures), Bybit 600 requests per
         * 5 s, OKX per endpoint (history-trades 20 per 2 s), Upbit 10 per second per group. The
         * venue's accounting headers (X-MBX-USED-WEIGHT-1M, X-Bapi-Limit-Status, Remaining-Req)
         * correct it upwards; a 418 ban stops every REST call of that venue until it ends.
         */
        requestsPerSecond: z.number().positive().default(10),
        burst: z.number().int().positive().default(60),
        timeoutMs: z.number().int().positive().default(10_000),
        /**
         * the part of each venue's documented REST limit tickvisor allows itself, in (0, 1]; the
         * rest is room for other clients on the same IP and for the venue's clock; default 0.9
         */
        budgetShare: z.number().positive().max(1).default(0.9),
        /**
         * a request unanswered this long (or 3× the venue's recent 90th-percentile answer time, if
         * longer) gets a second copy, first answer wins: a gap fill must not sit out a hung
         * request's whole timeout while the venue's short REST history rolls past the hole; false: never
         */
        hedgeAfterMs: z.union([z.number().int().positive(), z.literal(false)]).default(1_500),
      })
      .strict()
      .default({ requestsPerSecond: 10, burst: 60, timeoutMs: 10_000, budgetShare: 0.9, hedgeAfterMs: 1_500 }),
    /** REST audit defaults for every exchange (each exchange's `audit` overrides them field by field) */
    audit: auditSchema.optional(),
    validation: z.object({ maxClockSkewMs: z.number().int().positive().default(60_000) }).strict().default({ maxClockSkewMs: 60_000 }),
    metrics: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9464),
      })
      .strict()
      .default({ enabled: true, host: '127.0.0.1', port: 9464 }),
    alerts: z
      .object({
        webhook: z.string().url().optional(),
        silentCoinMs: z.number().int().positive().default(5 * 60_000),
        /** malformed frames + rejected records per second (per collector, over a minute) that raise an alert */
        errorRatePerSecond: z.number().positive().default(5),
        /** quarantined frames per minute (per exchange, market and reason) that raise `format-drift` */
        quarantinePerMinute: z.number().positive().default(10),
      })
      .strict()
      .default({ silentCoinMs: 5 * 60_000, errorRatePerSecond: 5, quarantinePerMinute: 10 }),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    simulator: z
      .object({
        seed: z.number().int().default(1),
        port: z.number().int().min(0).max(65535).default(0),
        tradesPerSecond: simRate.default(5),
        tickersPerSecond: simRate.default(1),
        /** 'manual': trades are generated only when the simulator is advanced (scripted runs, tests) */
        mode: z.enum(['auto', 'manual']).default('auto'),
        /** protocol timing overrides (keep-alive, idle timeouts, lifetime, rate limits): see SimTiming */
        timing: z.record(z.string(), z.number().nonnegative()).optional(),
      })
      .strict()
      .default({ seed: 1, port: 0, tradesPerSecond: 5, tickersPerSecond: 1, mode: 'auto' }),
    seed: z.number().int().default(1),
    cluster: clusterSchema.optional(),
  })
  .strict();

export type TickvisorConfigInput = z.input<typeof configSchema>;
export type TickvisorConfig = z.output<typeof configSchema>;
export type ExchangeConfig = z.output<typeof exchangeSchema>;
export type AuditConfig = z.output<typeof auditSchema>;
export type ClusterConfig = z.output<typeof clusterSchema>;
