/**
 * createTickvisor, the runtime behind the library entry (docs/architecture.md#public-api). Builds the
 * whole system from a configuration — the LMDB store, one pipeline per collector, and the
 * supervision tree with production I/O — and exposes start/stop, the record stream, the cache,
 * history reads, the live state tree and alerts. The simulator for `simulated` exchanges is
 * injected (`options.simulator`), never started here: src/compose/tickvisor.ts passes the embedded
 * one for the package entry and the CLI.
 */
import { batchMaxDelayMs } from '../config/batch-delay-default.js';
import { eventLoopBusy } from './event-loop-busy.js';
import { setMaxListeners } from 'node:events';
import { createActor, type AnyActorRef, type InspectionEvent } from 'xstate';
import { filter as where, mergeMap, ReplaySubject, Subject, type Observable, type Subscription } from '../rx.js';
import type { RecoveryFailedAlert } from '../../machines/manager.js';
import type { GapCounters } from '../ingest/gap-filler.js';
import type { GapTrackerOptions } from '../ingest/gap-tracker.js';
import { createAlerting, recoveryFailedAlert, refusalAlerts, restBannedAlert, symbolDelistedAlert, type Alert, type Alerting } from '../alerts/index.js';
import { checkConfiguredSymbols } from '../symbols/check-configured.js';
import { CoinActivity } from '../metrics/coin-activity.js';
import { startAlertWatch } from './alert-watch.js';
import { lifecycleLogger } from './lifecycle-log.js';
import { fanOutInspection } from '../inspect/fan-out.js';
import { DEFAULT_COLLECTOR_RESTART } from '../../machines/supervision.js';
import { resolveConfig } from '../config/load.js';
import type { ClusterConfig, TickvisorConfig, TickvisorConfigInput } from '../config/schema.js';
import type { ClusterNode, UnitLease } from '../cluster/node.js';
import type { CommittedBookRun } from '../store/books/sink.js';
import type { PublishedCursor } from '../cluster/cursors.js';
import { tradesPastCursor } from '../cluster/republish.js';
import type { PublisherStats } from '../cluster/publisher.js';
import { TickvisorError } from '../errors.js';
import { createAdapter } from '../exchanges/index.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createPipeline, type CommittedBatch, type LatestState, type Pipeline, type PipelineStats } from '../ingest/index.js';
import type { BookRecord, ExchangeId, Market, MarketRecord, Ticker, Trade } from '../records.js';
import { iterateTickers, iterateTrades, type RecordFilter, type RecordIterator } from './record-iterator.js';
import { createRestClient, type BudgetedRestClient, type VenueStats } from '../rest/index.js';
import type { SimExchange } from '../sim/index.js';
import { BookSink, openHistoryStore, QuarantineWriter, RawFrameWriter, storedBookAt, type BookAt, type OpenedHistoryStore, type RangeQuery, type RangeRecords, type StoreFaultGate } from '../store/index.js';
import { collectorInputFor } from './collector-inputs.js';
import { provideMachines } from './machines.js';
import { storeHealthAlerts } from './store-health.js';
import { readStateTree, type ActorNode } from './state-tree.js';
import { VenueRuntime } from './venue-io.js';
import { ThroughputMeter, type Throughput } from './throughput.js';
import { openAuditPositions, type AuditPositions } from '../store/audit-positions.js';
import { coinReader, startVenueAudits, type VenueAudits } from './venue-audits.js';
import { auditOptionsFor } from '../audit/audit-options.js';
import type { AuditRow } from '../audit/venue-auditor.js';
import { readCandles, type Candle, type CandleQuery } from '../analysis/index.js';
import { bookVenue } from '../books/venues.js';
import type { BookCounters } from '../books/book-keeper.js';
import { VenueBooks, type BookRecordSink, type BookRow, type LiveBook } from '../ingest/venue-books.js';
import { coinId, collectorId } from '../../machines/ids.js';
import type { CoinEvent } from '../../machines/coin.js';
import { iterate } from './record-iterator.js';
import { backgroundClock } from '../time/clock.js';

/**
 * Starts the simulated exchange for the configuration's `simulated` exchanges (undefined when
 * there are none). The runtime's caller composes it: the package entry and the CLI pass the
 * embedded simulator (src/compose/embedded-simulator.ts).
 */
export type SimulatorLauncher = (config: TickvisorConfig, log: Logger) => Promise<SimExchange | undefined>;

export interface TickvisorOptions {
  /** the simulator for `simulated` exchanges; without it a configuration that has any is refused at start */
  simulator?: SimulatorLauncher;
  /** XState inspection observer: sees every actor, event and snapshot (Stately inspector, recorders) */
  inspect?: (event: InspectionEvent) => void;
  logger?: Logger;
  /** level of ordinary collector/connector state changes (default info; failures always warn) */
  lifecycleLogLevel?: 'info' | 'debug';
  /** override the store directory from the configuration */
  dataDir?: string;
  /** fault scenarios only: a gate that can make store commits fail for a while (see store/fault-gate.ts) */
  storeFaultGate?: StoreFaultGate;
  /** gap detection tuning: silence thresholds, reach-back (tests scale them down) */
  gapTracking?: GapTrackerOptions;
  /** where book records are kept (default: the store's book writer) */
  bookSink?: BookRecordSink;
}

export interface Tickvisor {
  readonly config: TickvisorConfig;
  start(): Promise<void>;
  /**
   * Stops subscriptions, flushes every pipeline, closes the store; resolves when all is closed.
   * A store that refuses writes (a full disk) cannot hold this up for ever: after `flushTimeoutMs`
   * (default 10 s) what is not stored is given up, with an error line saying how much.
   */
  stop(options?: StopOptions): Promise<void>;
  /** validated, deduplicated records as they pass into the store, one array per frame */
  readonly batches$: Observable<readonly MarketRecord[]>;
  /** the same, one record at a time (convenient; the batches are cheaper) */
  readonly records$: Observable<MarketRecord>;
  /**
   * `for await (const t of tv.trades({ exchange, market, symbol }))`: the live trades of records$.
   * Bounded buffer, oldest dropped when a loop falls behind (`.dropped` counts them); ends on
   * stop(); breaking out of the loop unsubscribes. Call it after start() or before: both work.
   */
  trades(filter?: RecordFilter): RecordIterator<Trade>;
  /** the same for tickers */
  tickers(filter?: RecordFilter): RecordIterator<Ticker>;
  /** batches once their LMDB transaction has committed: stored, durable */
  readonly committed$: Observable<CommittedBatch>;
  /** every alert that passed dedup and rate limiting: recovery failed, coin silent, error rate */
  readonly alerts$: Observable<Alert>;
  /** alerts raised so far (every kind, after dedup) and what stands right now */
  alertSummary(): AlertSummary;
  /** per-coin receive activity (last receive time, mean interval) */
  readonly activity: CoinActivity;
  /** latest ticker and last trade of one symbol */
  latest(exchange: ExchangeId, market: Market, symbol: string): LatestState | undefined;
  /** every symbol's latest state */
  cache(): LatestState[];
  /** one symbol's stored history, ascending by time: `for (… of …)` (fastest) or `for await` */
  history(query: RangeQuery): RangeRecords;
  /** one symbol's stored trades as OHLCV candles (`interval`: 1s … 1d, e.g. '1m'), ascending; empty intervals are left out */
  candles(exchange: ExchangeId, market: Market, symbol: string, query: CandleQuery): AsyncIterable<Candle>;
  /**
   * One symbol's live order book (channel `book`): the top `depth` levels per side (default: the
   * venue's `bookDepth`), its sequence and time, and whether it is synced. Undefined when no
   * connection carries that symbol's book.
   */
  book(exchange: ExchangeId, market: Market, symbol: string, depth?: number): LiveBook | undefined;
  /** every book record as it is kept (snapshots, applied updates, resyncs); built only while observed */
  readonly bookUpdates$: Observable<BookRecord>;
  /** `for await` over bookUpdates$ (bounded buffer, as for trades()) */
  bookUpdates(filter?: RecordFilter): AsyncIterableIterator<BookRecord> & { readonly dropped: number };
  /** a symbol's book counters since start: resyncs, sequence gaps, checksum failures, overflowed buffers */
  bookCounters(exchange: ExchangeId, market: Market, symbol: string): Readonly<BookCounters> | undefined;
  /** one row per book per venue (state, counters, age, levels) */
  bookRows(): Array<BookRow & { exchange: ExchangeId; market: Market }>;
  /** the book store's writer: book records held for the store, and whether its last commit failed */
  bookStoreStats(): { pending: number; writeFailing: boolean };
  /** the stored order book at `time` (inclusive), top `depth` per side (default 10); `{ synced: false, since, reason }` across a resync; undefined before the first stored snapshot */
  bookAt(exchange: ExchangeId, market: Market, symbol: string, time: number, depth?: number): BookAt;
  /** the live supervision tree */
  state(): ActorNode;
  /** pipeline counters per collector */
  pipelineStats(): Record<string, PipelineStats>;
  /** records committed and committed per second: the one source of the status line's and the page's rate */
  throughput(): Throughput;
  /** gap detection and backfill per collector; `openWindows`: streams restarted and not yet rejoined */
  gapStats(): Array<GapCounters & { exchange: ExchangeId; market: Market; openWindows: number; idle: boolean }>;
  /** the REST audit per audited symbol: windows audited, trades found missing and filled, unfilled windows */
  auditStats(): AuditRow[];
  /** cluster mode: each work unit's lease as this node sees it (empty when running alone) */
  clusterLeases(): UnitLease[];
  /** cluster mode: what the stream has acknowledged of this node's trades (undefined when running alone) */
  clusterPublished(): PublisherStats | undefined;
  /** each venue's REST budget: weight used against the limit, requests, waits, bans */
  restBudgetStats(): VenueStats[];
  /** frames quarantined since start, per exchange, market and reason (see `tickvisor quarantine`) */
  quarantineStats(): QuarantineRow[];
  /**
   * resolves once every queued backfill has run and every pipeline has committed what it holds
   * (and the quarantine and raw frames what they gathered)
   */
  drain(): Promise<void>;
  /** the embedded simulator, when any exchange is simulated */
  readonly sim: SimExchange | undefined;
  /** the root actor (for inspection and tests) */
  readonly root: AnyActorRef | undefined;
}

export interface QuarantineRow {
  exchange: ExchangeId;
  market: Market;
  reason: string;
  count: number;
}

export interface StopOptions {
  /** how long the pipelines may take to store what they hold; default 10 000 ms */
  flushTimeoutMs?: number;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
const NO_SYMBOLS: ReadonlySet<string> = new Set();

export interface AlertSummary {
  /** alerts raised since start, every kind, after dedup and rate limiting */
  raised: number;
  /** the store's writes are failing right now (the `store-failed` alert stands) */
  storeFailing: boolean;
}

export function createTickvisor(configInput: TickvisorConfigInput | TickvisorConfig, options: TickvisorOptions = {}): Tickvisor {
  const config = resolveConfig(configInput);
  const log = options.logger ?? createLogger(config.log.level);
  const storePath = options.dataDir ?? config.store.path;
  const alerts = new Subject<Alert>();
  let alertsRaised = 0;
  const activity = new CoinActivity({ silentAfterMs: config.alerts.silentCoinMs });
  // the log always, the webhook when configured; in-process subscribers through alerts$
  const alerting: Alerting = createAlerting({
    logger: log,
    ...(config.alerts.webhook ? { webhook: config.alerts.webhook } : {}),
    sinks: [
      {
        name: 'alerts$',
        send: (alert: Alert) => {
          alertsRaised++;
          alerts.next(alert);
        },
      },
    ],
  });
  let stopWatch: (() => void) | undefined;
  const pipelines$ = new ReplaySubject<Pipeline>();
  let sim: SimExchange | undefined;
  let store: OpenedHistoryStore | undefined;
  let quarantine: QuarantineWriter | undefined;
  let bookSink: BookSink | undefined;
  let rawFrames: RawFrameWriter | undefined;
  let root: AnyActorRef | undefined;
  let audits: VenueAudits | undefined;
  /** cluster mode (config `cluster`): leases decide which collectors run here; committed trades go to the stream */
  let cluster: ClusterNode | undefined;
  let clusterFeed: Subscription | undefined;
  let auditPositions: AuditPositions | undefined;
  let restClient: BudgetedRestClient | undefined;
  const venues = new Map<string, VenueRuntime>();
  /** each venue's configured symbols, unified: a later listing without one raises `symbol-delisted` */
  const configured = new Map<string, readonly string[]>();
  const throughputMeter = new ThroughputMeter();
  const readThroughput = (): Throughput => throughputMeter.read(Date.now(), [...venues.values()].reduce((n, v) => n + v.pipeline.stats().committed, 0));
  /** samples the meter every second whoever reads it, so the first reading already has a window behind it */
  let throughputTimer: ReturnType<typeof setInterval> | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;
  /** closes the REST client on stop: no listing or backfill retry outlives the instance */
  const restAbort = new AbortController();
  // every REST request in flight listens to it (listings, backfills, audits, each venue's book
  // snapshots): more than Node's default 10 at start is normal, not a leak, and each is removed
  // when its request ends
  setMaxListeners(256, restAbort.signal);

  const bookRecords$ = new Subject<BookRecord>();
  const batches$ = pipelines$.pipe(mergeMap((p) => p.records$));
  const records$ = batches$.pipe(mergeMap((batch) => batch));
  const committed$ = pipelines$.pipe(mergeMap((p) => p.committed$));

  const venue = (exchange: ExchangeId, market: Market): VenueRuntime => {
    const v = venues.get(`${exchange}:${market}`);
    if (!v) throw new TickvisorError('TV_ERR_UNKNOWN_VENUE', `no venue ${exchange}:${market} in this configuration`, { userError: false });
    return v;
  };

  /**
   * The store first: a directory that cannot hold it is the most common start-up failure, and
   * nothing else (simulator, sockets, timers) has been started yet when it is reported. Anything
   * else failing later in start() stops what did start, so a failed start never leaves the process
   * held open by a listening simulator.
   */
  async function start(): Promise<void> {
    if (started) return;
    started = true;
    try {
      await startAll();
      readThroughput();
      throughputTimer = setInterval(readThroughput, 1_000);
      throughputTimer.unref();
    } catch (error) {
      // quietly: the caller reports the start failure as one line, no shutdown chatter around it
      await stopAll(false).catch(() => undefined);
      throw error;
    }
  }

  // the `store-failed` alert: raised while any collector's store writes fail
  const onWriteHealth = storeHealthAlerts({
    alerting,
    storePath,
    onRecovered: () => log.info({ store: storePath }, 'store writes succeed again'),
  });

  function sideWriteFailed(what: string): (error: unknown) => void {
    let lastAt = -Infinity;
    return (error) => {
      const now = Date.now();
      if (now - lastAt < 60_000) return;
      lastAt = now;
      log.error({ store: storePath, err: error }, `${what}: a write to the store failed; collection goes on without it`);
    };
  }

  async function startAll(): Promise<void> {
    store = openHistoryStore({
      path: storePath,
      ...(config.store.mapSizeMB !== undefined ? { mapSize: config.store.mapSizeMB * 1024 * 1024 } : {}),
      ...(options.storeFaultGate ? { faultGate: options.storeFaultGate } : {}),
    });
    // books go to the store's book writer (src/store/books/), beside the trade pipeline
    if (!options.bookSink && config.exchanges.some((e) => e.channels.includes('book'))) {
      bookSink = new BookSink(store.env, {
        ...(options.storeFaultGate ? { faultGate: options.storeFaultGate } : {}),
        onError: (error) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'book store write failed (retried)'),
        // cluster mode: what the book store committed goes to the stream too (`cluster` is set by startCluster)
        ...(config.cluster ? { onCommitted: (runs: readonly CommittedBookRun[]) => cluster?.publishBooks(runs) } : {}),
      });
    }
    // the quarantine and raw frames never stop collection: a failed write is a log line (one a minute)
    quarantine = new QuarantineWriter(store.env, {
      examplesPerReason: config.store.quarantineExamples,
      onError: sideWriteFailed('quarantine'),
    });
    if (config.store.raw) {
      rawFrames = new RawFrameWriter(store.env, {
        maxAgeMs: config.store.rawMaxAgeMs,
        maxBytes: config.store.rawMaxBytes,
        onError: sideWriteFailed('raw frames'),
      });
    }
    const simulated = config.exchanges.filter((e) => e.simulated);
    if (simulated.length > 0) {
      if (!options.simulator) {
        throw new TickvisorError(
          'TV_ERR_CONFIG_INVALID',
          `exchanges ${simulated.map((e) => `${e.exchange}:${e.market}`).join(', ')} are simulated, but no simulator was given (createTickvisor from the package entry runs the embedded one)`,
        );
      }
      sim = await options.simulator(config, log);
    }
    const rest = createRestClient({
      logger: log.child({ module: 'rest' }),
      signal: restAbort.signal,
      requestsPerSecond: config.rest.requestsPerSecond,
      burst: config.rest.burst,
      timeoutMs: config.rest.timeoutMs,
      budgetShare: config.rest.budgetShare,
      hedgeAfterMs: config.rest.hedgeAfterMs,
      onBan: (ban) => alerting.raise(restBannedAlert(ban, Date.now())),
    });
    restClient = rest;
    // one meter for every pipeline: they share this process's one event loop
    const loopBusy = eventLoopBusy();
    // opened before the venues: a restart's backfill reaches back to where each audit stood
    const positions = (auditPositions = openAuditPositions(store.env, sideWriteFailed('audit positions')));
    const inputs = config.exchanges.map((e, index) => {
      const exchange = e.exchange as ExchangeId;
      const market = e.market as Market;
      const endpoints = e.simulated && sim ? sim.endpoints(exchange, market) : { ...(e.wsUrl ? { wsUrl: e.wsUrl } : {}), ...(e.restUrl ? { restUrl: e.restUrl } : {}) };
      const adapter = createAdapter(exchange, market, endpoints);
      const vlog = log.child({ exchange, market });
      const pipeline = createPipeline({
        store: store!,
        batchMaxRecords: config.store.batchMaxRecords,
        batchMaxDelayMs: batchMaxDelayMs(config.store, config.cluster !== undefined),
        batchBusyDelayMs: config.store.batchBusyDelayMs,
        busy: loopBusy,
        highWaterMark: Math.max(1, Math.floor(config.store.maxBufferedRecords / 4)),
        hardLimit: config.store.maxBufferedRecords,
        maxClockSkewMs: config.validation.maxClockSkewMs,
        logger: vlog,
        onWriteHealth: (failing, error) => onWriteHealth(`${exchange}:${market}`, failing, error),
        // the venue runtime is built next, on this pipeline: asked lazily, at each write
        openGaps: (symbols) => venues.get(`${exchange}:${market}`)?.openGapsAmong(symbols) ?? NO_SYMBOLS,
      });
      const cursors = store!.listCursors().filter((c) => c.exchange === exchange && c.market === market);
      const sinkForBooks: BookRecordSink | undefined = options.bookSink ?? bookSink;
      const books = e.channels.includes('book')
        ? new VenueBooks({
            venue: bookVenue(exchange, market),
            depth: e.bookDepth,
            clock: backgroundClock,
            instruments: () => venues.get(`${exchange}:${market}`)?.instruments() ?? [],
            rest,
            restUrl: adapter.endpoints.restUrl,
            records: bookRecords$,
            ...(sinkForBooks ? { sink: sinkForBooks } : {}),
            // the Coin shows its book's state; book updates themselves never become events
            onState: (symbol, state, reason) => {
              const event: CoinEvent = reason === undefined ? { type: 'BOOK.STATE', state } : { type: 'BOOK.STATE', state, reason };
              root?.system.get(coinId(exchange, market, symbol))?.send(event);
            },
          })
        : undefined;
      venues.set(
        `${exchange}:${market}`,
        new VenueRuntime(adapter, adapter.endpoints.wsUrl, adapter.endpoints.restUrl, pipeline, rest, vlog, cursors, activity, {
          trades: e.channels.includes('trade'),
          ...(books ? { books, bookDepth: e.bookDepth } : {}),
          ...(options.gapTracking ? { gaps: options.gapTracking } : {}),
          ...(auditOptionsFor(e, config.audit) !== undefined ? { auditFrom: positions.load(exchange, market) } : {}),
          ...(quarantine ? { quarantine } : {}),
          ...(rawFrames ? { raw: rawFrames } : {}),
          onDelisted: (symbols) => {
            // configured symbols only: with `quotes` or no selection, listings come and go by design
            const wanted = new Set(configured.get(`${exchange}:${market}`) ?? []);
            for (const symbol of symbols) {
              if (!wanted.has(symbol)) continue;
              const alert = symbolDelistedAlert(exchange, market, symbol, Date.now());
              vlog.warn({ symbol }, alert.message);
              alerting.raise(alert);
            }
          },
        }),
      );
      pipelines$.next(pipeline);
      return collectorInputFor(config, e, adapter, index);
    });
    // every configured symbol against its venue's listing, before anything subscribes: an
    // exchange spelling is mapped (a notice), an unlisted symbol stops the start (one line each)
    const withSymbols = inputs.filter((i) => i.symbols !== undefined);
    const resolved = await checkConfiguredSymbols(
      withSymbols.map((i) => ({ venue: `${i.exchange}:${i.market}`, configured: i.symbols ?? [], list: () => venue(i.exchange, i.market).list() })),
      log,
    );
    withSymbols.forEach((input, n) => {
      input.symbols = resolved[n] ?? input.symbols;
      configured.set(`${input.exchange}:${input.market}`, input.symbols ?? []);
    });
    const machine = provideMachines(venue);
    root = createActor(machine, {
      systemId: 'manager',
      input: { collectors: inputs, restart: config.supervision.collector ?? DEFAULT_COLLECTOR_RESTART, seed: config.seed, leased: config.cluster !== undefined },
      // subscription-refused alerts are read off the same stream as the lifecycle log
      inspect: fanOutInspection(lifecycleLogger(log, options.lifecycleLogLevel), refusalAlerts(alerting), options.inspect),
    });
    root.on('alert', (event: { alert: RecoveryFailedAlert }) => {
      alerting.raise(recoveryFailedAlert(event.alert, Date.now()));
    });
    root.start();
    const tree = root;
    audits = startVenueAudits({
      config, venues, store, rest, signal: restAbort.signal, log,
      positions,
      coins: coinReader(() => readStateTree(tree)),
    });
    stopWatch = startAlertWatch({
      alerting,
      activity,
      venues: () => venues.entries(),
      silentCoinMs: config.alerts.silentCoinMs,
      errorRatePerSecond: config.alerts.errorRatePerSecond,
      quarantinePerMinute: config.alerts.quarantinePerMinute,
    });
    if (config.cluster) await startCluster(config.cluster, inputs, tree);
    log.info({ collectors: inputs.length, store: storePath }, 'supervision tree started');
  }

  /**
   * Cluster mode: every collector waits in Ready until this node holds its unit's lease. On a
   * grant, a symbol whose trades the stream holds beyond this node's own store is seeded from the
   * stream's cursor, so the first live trade opens a gap from there and the backfill covers what
   * the last holder did not publish.
   */
  async function startCluster(clusterConfig: ClusterConfig, inputs: readonly { exchange: ExchangeId; market: Market }[], tree: AnyActorRef): Promise<void> {
    const units = inputs.map((i) => ({ id: collectorId(i.exchange, i.market), exchange: i.exchange, market: i.market }));
    // loaded here, not at the top: the NATS client (~10 MB resident) only for a node of a cluster
    const { startClusterNode } = await import('../cluster/node.js');
    cluster = await startClusterNode({
      config: clusterConfig,
      units,
      log: log.child({ module: 'cluster' }),
      onGranted: (unit, cursors) => {
        if (stopping) return; // a lease taken while this node shuts down: it releases it in a moment
        const v = venues.get(`${unit.exchange}:${unit.market}`);
        const local = new Map((store?.listCursors() ?? []).filter((c) => c.exchange === unit.exchange && c.market === unit.market).map((c) => [c.symbol, c.lastTimestamp]));
        for (const [symbol, c] of cursors) {
          const mine = local.get(symbol);
          if (mine === undefined || c.timestamp > mine) v?.gaps.seed(symbol, c.tradeId, c.timestamp);
          // our store is ahead of the stream: what we committed and never published goes out now
          else if (mine > c.timestamp && store) republishPastCursor(store, unit, symbol, c);
        }
        tree.send({ type: 'LEASE.GRANTED', id: unit.id });
      },
      onLost: (unit) => {
        if (!stopping) tree.send({ type: 'LEASE.LOST', id: unit.id });
      },
      heldBack: (unit) => venues.get(`${unit.exchange}:${unit.market}`)?.heldFloors(),
    });
    const node = cluster;
    clusterFeed = committed$.subscribe((batch) => {
      // a live batch of trades stays columns all the way to the stream (window-batcher.ts)
      if (batch.trades !== undefined) {
        node.publishRows(batch.trades);
        return;
      }
      const trades: Trade[] = [];
      const tickers: Ticker[] = [];
      for (const r of batch.records) {
        if (r.type === 'trade') trades.push(r);
        else tickers.push(r);
      }
      node.publish(trades);
      node.publishTickers(tickers);
    });
  }

  /** the store's trades of `symbol` from the stream's cursor on, to the publisher (cluster/republish.ts) */
  function republishPastCursor(from: OpenedHistoryStore, unit: { exchange: ExchangeId; market: Market }, symbol: string, cursor: PublishedCursor): void {
    let count = 0;
    try {
      const records = from.readRange({ exchange: unit.exchange, market: unit.market, symbol, type: 'trade', from: cursor.timestamp }) as Iterable<{ type: string }>;
      for (const batch of tradesPastCursor(records, cursor)) {
        cluster?.publish(batch);
        count += batch.length;
      }
    } catch (error) {
      log.warn({ exchange: unit.exchange, market: unit.market, symbol, error: error instanceof Error ? error.message : String(error) }, 'cluster: the store could not be read to publish what the stream lacks');
    }
    if (count > 0) log.info({ exchange: unit.exchange, market: unit.market, symbol, trades: count }, 'cluster: trades the store holds past the stream cursor published again');
  }

  async function stop(options: StopOptions = {}): Promise<void> {
    if (!started) return;
    return stopAll(true, options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
  }

  function stopAll(announce: boolean, flushTimeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    stopping ??= (async () => {
      clearInterval(throughputTimer);
      restAbort.abort();
      await audits?.stop();
      stopWatch?.();
      root?.stop();
      for (const v of venues.values()) v.filler.stop();
      for (const v of venues.values()) v.books?.close();
      bookRecords$.complete();
      const flushed = await settlesWithin(Promise.all([...venues.values()].map((v) => v.pipeline.close())), flushTimeoutMs);
      if (!flushed) {
        const given = [...venues.values()].reduce((n, v) => n + v.pipeline.abandon(), 0);
        log.error({ store: storePath, records: given, flushTimeoutMs }, `stop: the store did not take the last ${given} records within ${flushTimeoutMs} ms; they are not stored`);
      }
      // cluster: what was committed goes to the stream (the books' last records, each book's end, included), then the leases are released
      if (cluster) await bookSink?.flush();
      await cluster?.stop();
      clusterFeed?.unsubscribe();
      // what the quarantine and raw frames gathered goes in before the environment closes
      await quarantine?.close();
      await rawFrames?.close();
      // the books' last records (each book's end, `resync`) went to the sink when the venues closed
      await bookSink?.close();
      auditPositions?.close();
      await store?.close();
      await sim?.stop();
      await alerting.close();
      alerts.complete();
      pipelines$.complete();
      if (announce) log.info({}, 'stopped: subscriptions closed, pipelines flushed, store closed');
    })();
    return stopping;
  }

  return {
    config,
    start,
    stop,
    batches$,
    records$,
    trades: (filter) => iterateTrades(records$, filter),
    tickers: (filter) => iterateTickers(records$, filter),
    committed$,
    alerts$: alerts.asObservable(),
    alertSummary: () => ({ raised: alertsRaised, storeFailing: onWriteHealth.failing.size > 0 }),
    activity,
    latest: (exchange, market, symbol) => venues.get(`${exchange}:${market}`)?.pipeline.cache.get(exchange, market, symbol),
    cache: () => [...venues.values()].flatMap((v) => [...v.pipeline.cache.entries()]),
    history: (query) => {
      if (!store) throw new TickvisorError('TV_ERR_NOT_STARTED', 'history() needs a started instance', { userError: false });
      return store.readRange(query);
    },
    candles: (exchange, market, symbol, query) => {
      if (!store) throw new TickvisorError('TV_ERR_NOT_STARTED', 'candles() needs a started instance', { userError: false });
      return readCandles(store, exchange, market, symbol, query);
    },
    book: (exchange, market, symbol, depth) => venues.get(`${exchange}:${market}`)?.books?.book(symbol, depth),
    bookUpdates$: bookRecords$.asObservable(),
    bookUpdates: (f = {}) =>
      iterate(
        bookRecords$.pipe(where((r) => (f.exchange === undefined || r.exchange === f.exchange) && (f.market === undefined || r.market === f.market) && (f.symbol === undefined || r.symbol === f.symbol))),
        f.bufferSize,
      ),
    bookStoreStats: () => ({ pending: bookSink?.pendingRecords ?? 0, writeFailing: bookSink?.writeFailing ?? false }),
    bookCounters: (exchange, market, symbol) => venues.get(`${exchange}:${market}`)?.books?.counters(symbol),
    bookRows: () => [...venues.values()].flatMap((v) => (v.books ? [...v.books.rows()].map((r) => ({ ...r, exchange: v.adapter.exchange, market: v.adapter.market })) : [])),
    bookAt: (exchange, market, symbol, time, depth) => {
      if (!store) throw new TickvisorError('TV_ERR_NOT_STARTED', 'bookAt() needs a started instance', { userError: false });
      return storedBookAt(store.env, exchange, market, symbol, time, depth);
    },
    state: () => {
      if (!root) throw new TickvisorError('TV_ERR_NOT_STARTED', 'state() needs a started instance', { userError: false });
      return readStateTree(root);
    },
    pipelineStats: () => Object.fromEntries([...venues].map(([k, v]) => [k, v.pipeline.stats()])),
    throughput: readThroughput,
    gapStats: () =>
      [...venues.values()].map((v) => ({
        ...v.filler.counters,
        exchange: v.adapter.exchange,
        market: v.adapter.market,
        openWindows: v.gaps.pendingBreaks(),
        idle: v.filler.idle,
      })),
    auditStats: () => audits?.stats() ?? [],
    clusterLeases: () => cluster?.leases() ?? [],
    clusterPublished: () => (cluster ? { ...cluster.publisherStats() } : undefined),
    restBudgetStats: () => restClient?.budgetStats() ?? [],
    quarantineStats: () => [...venues.values()].flatMap((v) => v.quarantineRows()),
    drain: async () => {
      await Promise.all([...venues.values()].map((v) => v.filler.whenIdle()));
      await Promise.all([...venues.values()].map((v) => v.pipeline.flush()));
      await quarantine?.flush();
      await rawFrames?.flush();
      await bookSink?.flush();
    },
    get sim() {
      return sim;
    },
    get root() {
      return root;
    },
  };
}

/** true when `work` settled within `ms` (the timer never holds the process open) */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
