/**
 * The Prometheus registry of tickvisor (per process, collector and coin), updated on
 * scrape from three plain sources: the live state tree, the pipelines' stats and the coin
 * activity table. Nothing here touches actors or sockets.
 *
 * Rules:
 * - Labels are bounded: exchange, market, symbol, group (connector group index), and `reason` on
 *   rejected records (a fixed list). Never a per-connection id.
 * - Coin series carry no `group` label: a regroup would otherwise move a coin's counters to a new
 *   series. `tickvisor_coin_group` tells the group instead (join on exchange, market, symbol).
 * - `*_total` counters stay monotonic across actor restarts (MonotonicCounters).
 * - Ratios are successes / attempts of those monotonic totals, capped at 1, and absent while
 *   there were no attempts: 0 would page someone, 1 would claim a success that never happened.
 * - An actor that leaves the tree has its series removed at the next update; one whose supervisor
 *   is restarting or parked it keeps its counter series (not its state), until it is back.
 * - Default metrics keep prom-client's standard names (`process_cpu_seconds_total`,
 *   `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, …): every Node.js dashboard
 *   and alert rule expects them, and the `job` label already says which process they describe.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { COIN_STATE_CODES } from '../../machines/coin.js';
import { COLLECTOR_STATE_CODES } from '../../machines/collector.js';
import { CONNECTOR_STATE_CODES } from '../../machines/connector.js';
import type { ActorCounterName, CollectorCounters, ConnectorCounters, RestartCounters } from '../../machines/selectors.js';
import type { AuditRow } from '../audit/venue-auditor.js';
import type { UnitLease } from '../cluster/node.js';
import type { PublisherStats } from '../cluster/publisher.js';
import { createClusterMetrics } from './cluster-metrics.js';
import type { PipelineStats } from '../ingest/pipeline.js';
import type { ActorNode } from '../runtime/state-tree.js';
import { ActorTable, type ActorRow, type RowLabels } from './actor-rows.js';
import type { CoinActivity, SilentCoin } from './coin-activity.js';
import { MonotonicCounters } from './monotonic.js';
import { RateMeter } from './rate-meter.js';
import { createRestBudgetMetrics } from './rest-budget.js';
import { createBookMetrics, type BookMetricRow } from './book-metrics.js';
import type { VenueStats } from '../rest/weight-budget.js';

/** The manager has one state; it has no exported code table, so it is written here. */
export const MANAGER_STATE_CODES = { Managing: 0 } as const;

export interface MetricsOptions {
  /** a registry to fill (default: a fresh one; the global one would clash between instances) */
  registry?: Registry;
  /** prom-client's default process and Node.js metrics (default true) */
  defaultMetrics?: boolean;
  /** window of the records/s gauges (default 10 s) */
  rateWindowMs?: number;
}

export interface CollectorFigures {
  recordsPerSecond: number;
  committed: number;
  buffered: number;
  pressure: boolean;
  rejected: number;
  duplicates: number;
}

/** What the last update computed, for the status page. */
export interface MetricsFigures {
  at: number;
  recordsPerSecond: number;
  committed: number;
  /** by collector actor id (`collector:binance:spot`) */
  collectors: Record<string, CollectorFigures>;
  silentCoins: SilentCoin[];
}

export interface TickvisorMetrics {
  readonly registry: Registry;
  /** Brings every series up to date; call right before `registry.metrics()`. */
  update(tree: ActorNode, pipelines: Readonly<Record<string, PipelineStats>>, activity: CoinActivity, now: number): MetricsFigures;
  /** Sets the REST-audit series (one row per audited symbol); call after `update`, before `registry.metrics()`. */
  updateAudits(rows: readonly AuditRow[]): void;
  /** Sets the per-venue REST budget series (src/metrics/rest-budget.ts); call before `registry.metrics()`. */
  updateRestBudgets(venues: readonly VenueStats[]): void;
  /** Sets the quarantined-frames counter (one row per exchange, market and reason); same timing as updateAudits. */
  updateQuarantine(rows: readonly QuarantineRow[]): void;
  /** Sets the order-book series (one row per coin with a book, src/metrics/book-metrics.ts); same timing as updateAudits. */
  updateBooks(rows: readonly BookMetricRow[], now: number): void;
  /** Sets the cluster series (leases per unit, the publisher's totals; none when alone); same timing as updateAudits. */
  updateCluster(leases: readonly UnitLease[], published: PublisherStats | undefined): void;
  /** update, then the Prometheus text exposition */
  scrape(tree: ActorNode, pipelines: Readonly<Record<string, PipelineStats>>, activity: CoinActivity, now: number): Promise<string>;
  readonly contentType: string;
}

type Labels = Record<string, string>;

/** frames quarantined since start for one reason (a fixed list: the label stays bounded) */
export interface QuarantineRow {
  exchange: string;
  market: string;
  reason: string;
  count: number;
}

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const codesHelp = (what: string, codes: Record<string, number>) =>
  `${what} state code: ${Object.entries(codes).map(([name, code]) => `${code}=${name}`).join(', ')}`;

/** actor counter key → metric suffix and help, for connectors (all `*_total` counters) */
const CONNECTOR_COUNTERS = [
  ['connectionAttempts', 'connection_attempts_total', 'WebSocket connection attempts'],
  ['connectionSuccesses', 'connection_successes_total', 'WebSocket connections opened'],
  ['subscriptionAttempts', 'subscription_attempts_total', 'subscribe requests sent'],
  ['subscriptionSuccesses', 'subscription_successes_total', 'subscribe requests confirmed'],
  ['subscriptionFailures', 'subscription_failures_total', 'subscribe requests rejected or timed out'],
  ['recoveryAttempts', 'recovery_attempts_total', 'recoveries started after a failure'],
  ['recoverySuccesses', 'recovery_successes_total', 'recoveries that reached Connected again'],
  ['framesReceived', 'frames_received_total', 'WebSocket frames received'],
  ['recordsReceived', 'records_received_total', 'normalized records parsed'],
  ['malformedFrames', 'malformed_frames_total', 'frames that could not be parsed'],
  ['rotations', 'rotations_total', 'planned reconnections before the exchange closes an old connection'],
  ['dataStalls', 'data_stalls_total', 'reconnections because data stopped while the socket stayed open'],
  ['symbolStalls', 'symbol_stalls_total', 'resubscriptions of one symbol that fell silent while its connection kept flowing'],
  ['restartAttempts', 'restarts_total', 'restarts of this connector by its collector'],
  ['restartSuccesses', 'restart_successes_total', 'restarts that reached Connected'],
] as const satisfies ReadonlyArray<readonly [keyof ConnectorCounters | keyof RestartCounters, string, string]>;

const COLLECTOR_COUNTERS = [
  ['errors', 'errors_total', 'connector failures this collector handled'],
  ['listingFailures', 'listing_failures_total', 'failed REST listings of the market'],
  ['restartAttempts', 'restarts_total', 'restarts of this collector by the manager'],
  ['restartSuccesses', 'restart_successes_total', 'restarts that reached Running'],
  ['gaps.detected', 'gaps_detected_total', 'gaps in the trade stream found: id holes, reconnects, silences, first subscriptions'],
  ['gaps.merged', 'gaps_merged_total', 'gaps that joined one already waiting for the same symbol and were backfilled by its request'],
  ['gaps.filled', 'gaps_filled_total', 'gaps REST backfill proved whole'],
  ['gaps.unfilled', 'gaps_unfilled_total', 'gaps REST could not fill: beyond what the exchange serves, or out of tries'],
  ['gaps.backfilledTrades', 'backfilled_trades_total', 'trades delivered by REST gap backfill'],
  ['gaps.failures', 'backfill_failures_total', 'failed REST backfill requests (retried)'],
] as const satisfies ReadonlyArray<readonly [keyof CollectorCounters | keyof RestartCounters, string, string]>;

/** pipeline stat → collector counter */
const PIPELINE_COUNTERS = [
  ['committed', 'records_committed_total', 'records processed: validated, deduplicated and committed to the store'],
  ['duplicates', 'duplicates_total', 'duplicate records dropped (dedup window and store)'],
  ['batches', 'batches_total', 'store transactions committed'],
  ['writeErrors', 'write_errors_total', 'failed store writes (retried)'],
  ['overLimitPushes', 'over_limit_pushes_total', 'pushes past the buffer hard limit'],
] as const;

const RATIOS = [
  ['connection_success_ratio', 'connectionSuccesses', 'connectionAttempts', 'connections opened / attempted'],
  ['subscription_success_ratio', 'subscriptionSuccesses', 'subscriptionAttempts', 'subscribe requests confirmed / sent'],
  ['recovery_success_ratio', 'recoverySuccesses', 'recoveryAttempts', 'recoveries succeeded / started'],
] as const satisfies ReadonlyArray<readonly [string, keyof ConnectorCounters, keyof ConnectorCounters, string]>;

export function createMetrics(options: MetricsOptions = {}): TickvisorMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // gauges named like counters, which `promtool check metrics` refuses; each is the sum of its
    // by-type twin (`nodejs_active_handles{type}` …), so nothing is lost
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  const rateWindowMs = options.rateWindowMs ?? 10_000;
  const ours: Array<Gauge | Counter> = [];
  const gauge = (name: string, help: string, labelNames: readonly string[]) => {
    const m = new Gauge({ name, help, labelNames, registers: [registry] });
    ours.push(m);
    return m;
  };
  const counter = (name: string, help: string, labelNames: readonly string[]) => {
    const m = new Counter({ name, help, labelNames, registers: [registry] });
    ours.push(m);
    return m;
  };
  const COIN = ['exchange', 'market', 'symbol'];
  const CONN = ['exchange', 'market', 'group'];
  const COLL = ['exchange', 'market'];

  const coin = {
    state: gauge('tickvisor_coin_state', codesHelp('Coin subscription', COIN_STATE_CODES), COIN),
    group: gauge('tickvisor_coin_group', 'Index of the connector group carrying this coin', COIN),
    lastReceive: gauge('tickvisor_coin_last_receive_timestamp_seconds', 'Time the last record of this coin was received, seconds since epoch', COIN),
    meanInterval: gauge('tickvisor_coin_mean_receive_interval_seconds', 'Mean time between records of this coin over the last 1-2 minutes, seconds', COIN),
    records: counter('tickvisor_coin_records_received_total', 'Records of this coin delivered by the pipeline', COIN),
    requests: counter('tickvisor_coin_subscribe_requests_total', 'Subscribe requests sent for this coin', COIN),
    failures: counter('tickvisor_coin_subscribe_failures_total', 'Subscribe requests for this coin rejected or timed out', COIN),
  };
  const connector = {
    state: gauge('tickvisor_connector_state', codesHelp('Connector', CONNECTOR_STATE_CODES), CONN),
    activeCoins: gauge('tickvisor_connector_active_coins', 'Coins of this connector in state Subscribed', CONN),
    coins: gauge('tickvisor_connector_coins', 'Coins assigned to this connector', CONN),
    consecutiveFailures: gauge('tickvisor_connector_consecutive_failures', 'Failures since the connection was last healthy', CONN),
    counters: CONNECTOR_COUNTERS.map(([key, suffix, help]) => ({ key, metric: counter(`tickvisor_connector_${suffix}`, help, CONN) })),
    ratios: RATIOS.map(([suffix, ok, tried, help]) => ({
      ok,
      tried,
      metric: gauge(`tickvisor_connector_${suffix}`, `${help}, 0..1 over the process lifetime; absent before the first attempt`, CONN),
    })),
  };
  const collector = {
    state: gauge('tickvisor_collector_state', codesHelp('Collector', COLLECTOR_STATE_CODES), COLL),
    connectors: gauge('tickvisor_collector_connectors', 'Connectors (coin groups) of this collector', COLL),
    activeCoins: gauge('tickvisor_collector_active_coins', 'Coins of this collector in state Subscribed', COLL),
    recordsPerSecond: gauge('tickvisor_collector_records_per_second', `Records committed per second over the last ${rateWindowMs / 1000} s`, COLL),
    buffered: gauge('tickvisor_collector_buffered_records', 'Records waiting in the pipeline buffer', COLL),
    inFlight: gauge('tickvisor_collector_in_flight_records', 'Records in the store transaction being written', COLL),
    pressure: gauge('tickvisor_collector_pressure', '1 while the pipeline asks its producers to pause (buffer over its high-water mark)', COLL),
    counters: COLLECTOR_COUNTERS.map(([key, suffix, help]) => ({ key, metric: counter(`tickvisor_collector_${suffix}`, help, COLL) })),
    pipeline: PIPELINE_COUNTERS.map(([key, suffix, help]) => ({ key, metric: counter(`tickvisor_collector_${suffix}`, help, COLL) })),
    rejected: counter('tickvisor_collector_records_rejected_total', 'Records refused by validation, by reason', [...COLL, 'reason']),
  };
  // --- data-path timing: late records and each venue's measured clock offset ---
  const timing = {
    late: counter(
      'tickvisor_collector_records_late_total',
      'Live records stored although they arrived more than the clock-skew limit after their exchange timestamp',
      COLL,
    ),
    clockOffset: gauge(
      'tickvisor_collector_clock_offset_seconds',
      'Median of receive time minus exchange timestamp over recent frames: network delay plus how far our clock is ahead of the exchange (negative: the exchange clock is ahead); absent before enough frames',
      COLL,
    ),
  };
  function updateTiming(pipelines: Readonly<Record<string, PipelineStats>>): void {
    for (const [venue, stats] of Object.entries(pipelines)) {
      const [exchange = '', market = ''] = venue.split(':');
      const labels = { exchange, market };
      timing.late.inc(labels, totals.read(key(`collector:${exchange}:${market}`, 'late'), stats.late));
      if (stats.clockOffsetMs !== undefined) timing.clockOffset.set(labels, stats.clockOffsetMs / 1000);
    }
  }
  // --- end of data-path timing ---

  const manager = {
    state: gauge('tickvisor_manager_state', codesHelp('Manager', MANAGER_STATE_CODES), []),
    alerts: counter('tickvisor_manager_alerts_total', 'Alerts raised: recovery failed, operator action needed', []),
    collectors: gauge('tickvisor_manager_collectors', 'Collectors (exchange x market) configured', []),
    running: gauge('tickvisor_manager_collectors_running', 'Collectors in state Running', []),
    recordsPerSecond: gauge('tickvisor_manager_records_per_second', `Records committed per second, all collectors, over the last ${rateWindowMs / 1000} s`, []),
    silentCoins: gauge('tickvisor_manager_silent_coins', 'Coins without a record for longer than the silent-coin threshold', []),
  };

  const table = new ActorTable();
  const totals = new MonotonicCounters();
  const rates = new Map<string, RateMeter>();
  const allRate = new RateMeter(rateWindowMs);
  const key = (id: string, name: string) => `${id}\u0000${name}`;

  /** the monotonic total of one actor counter; undefined when never read */
  const total = (row: ActorRow, name: ActorCounterName): number | undefined => {
    const v = row.node.counters[name];
    return v === undefined ? totals.total(key(row.id, name)) : totals.read(key(row.id, name), v, row.generation);
  };
  const stateCode = (codes: Record<string, number>, state: string) => (Object.hasOwn(codes, state) ? codes[state] : undefined);
  const labelsOf = (l: RowLabels, names: readonly string[]): Labels => {
    const out: Labels = {};
    for (const n of names) out[n] = l[n as keyof RowLabels] ?? '';
    return out;
  };
  const subscribedCoins = (row: ActorRow) => row.node.children.filter((c) => c.state === 'Subscribed').length;

  function updateCoin(row: ActorRow, activity: CoinActivity, now: number, groupOf: ReadonlyMap<string, string>) {
    const labels = labelsOf(row.labels, COIN);
    const { exchange = '', market = '', symbol = '' } = row.labels;
    if (!row.retained) {
      activity.watch(exchange, market, symbol, now);
      const code = stateCode(COIN_STATE_CODES, row.node.state);
      if (code !== undefined) coin.state.set(labels, code);
      const group = row.parentId ? groupOf.get(row.parentId) : undefined;
      if (group !== undefined && group !== '') coin.group.set(labels, Number(group));
    }
    const a = activity.get(exchange, market, symbol);
    if (a?.lastAt !== undefined) coin.lastReceive.set(labels, a.lastAt / 1000);
    if (a?.meanIntervalMs !== undefined) coin.meanInterval.set(labels, a.meanIntervalMs / 1000);
    coin.records.inc(labels, totals.read(key(row.id, 'records'), a?.count ?? 0));
    const requests = total(row, 'subscribeRequests');
    if (requests !== undefined) coin.requests.inc(labels, requests);
    const failures = total(row, 'subscribeFailures');
    if (failures !== undefined) coin.failures.inc(labels, failures);
  }

  function updateConnector(row: ActorRow) {
    const labels = labelsOf(row.labels, CONN);
    if (!row.retained) {
      const code = stateCode(CONNECTOR_STATE_CODES, row.node.state);
      if (code !== undefined) connector.state.set(labels, code);
      if (!row.dormant) {
        connector.activeCoins.set(labels, subscribedCoins(row));
        connector.coins.set(labels, row.node.children.length);
        const cf = row.node.counters.consecutiveFailures;
        if (cf !== undefined) connector.consecutiveFailures.set(labels, cf);
      }
    }
    const seen: Partial<Record<ActorCounterName, number>> = {};
    for (const { key: name, metric } of connector.counters) {
      const t = total(row, name);
      if (t === undefined) continue;
      seen[name] = t;
      metric.inc(labels, t);
    }
    for (const r of connector.ratios) {
      const tried = seen[r.tried] ?? 0;
      if (tried > 0) r.metric.set(labels, Math.min(1, (seen[r.ok] ?? 0) / tried));
    }
  }

  function updateCollector(row: ActorRow) {
    const labels = labelsOf(row.labels, COLL);
    if (!row.retained) {
      const code = stateCode(COLLECTOR_STATE_CODES, row.node.state);
      if (code !== undefined) collector.state.set(labels, code);
      if (!row.dormant) {
        collector.connectors.set(labels, row.node.children.length);
        collector.activeCoins.set(labels, row.node.children.reduce((n, c) => n + c.children.filter((k) => k.state === 'Subscribed').length, 0));
      }
    }
    for (const { key: name, metric } of collector.counters) {
      const t = total(row, name);
      if (t !== undefined) metric.inc(labels, t);
    }
  }

  function updatePipelines(pipelines: Readonly<Record<string, PipelineStats>>, now: number): Pick<MetricsFigures, 'collectors' | 'committed'> {
    const figures: Record<string, CollectorFigures> = {};
    let committed = 0;
    for (const [venue, stats] of Object.entries(pipelines)) {
      const [exchange = '', market = ''] = venue.split(':');
      const id = `collector:${exchange}:${market}`;
      const labels = { exchange, market };
      const committedTotal = totals.read(key(id, 'committed'), stats.committed);
      for (const { key: name, metric } of collector.pipeline) metric.inc(labels, totals.read(key(id, name), stats[name]));
      for (const [reason, n] of Object.entries(stats.rejected)) collector.rejected.inc({ ...labels, reason }, totals.read(key(id, `rejected:${reason}`), n));
      collector.buffered.set(labels, stats.buffered);
      collector.inFlight.set(labels, stats.inFlight);
      collector.pressure.set(labels, stats.pressure ? 1 : 0);
      let meter = rates.get(id);
      if (!meter) rates.set(id, (meter = new RateMeter(rateWindowMs)));
      const recordsPerSecond = meter.sample(now, committedTotal);
      collector.recordsPerSecond.set(labels, recordsPerSecond);
      committed += committedTotal;
      figures[id] = {
        recordsPerSecond,
        committed: committedTotal,
        buffered: stats.buffered,
        pressure: stats.pressure,
        rejected: stats.rejectedTotal,
        duplicates: stats.duplicates,
      };
    }
    for (const id of rates.keys()) if (!figures[id]) rates.delete(id);
    return { collectors: figures, committed };
  }

  function update(tree: ActorNode, pipelines: Readonly<Record<string, PipelineStats>>, activity: CoinActivity, now: number): MetricsFigures {
    // everything is set again from the sources: a series nobody sets this time is gone
    for (const m of ours) m.reset();
    const { rows, removed } = table.update(tree);
    for (const r of removed) {
      totals.forget(`${r.id}\u0000`);
      if (r.kind === 'coin') activity.forget(r.labels.exchange ?? '', r.labels.market ?? '', r.labels.symbol ?? '');
    }
    const groupOf = new Map(rows.filter((r) => r.kind === 'connector').map((r) => [r.id, r.labels.group ?? ''] as const));
    let collectors = 0;
    let running = 0;
    for (const row of rows) {
      if (row.kind === 'coin') updateCoin(row, activity, now, groupOf);
      else if (row.kind === 'connector') updateConnector(row);
      else if (row.kind === 'collector') {
        updateCollector(row);
        collectors++;
        if (row.node.state === 'Running' && !row.retained) running++;
      } else {
        const code = stateCode(MANAGER_STATE_CODES, row.node.state);
        if (code !== undefined) manager.state.set(code);
        manager.alerts.inc(total(row, 'alerts') ?? 0);
      }
    }
    const pipelineFigures = updatePipelines(pipelines, now);
    updateTiming(pipelines);
    const recordsPerSecond = allRate.sample(now, pipelineFigures.committed);
    const silentCoins = activity.silentFor(now);
    manager.collectors.set(collectors);
    manager.running.set(running);
    manager.recordsPerSecond.set(recordsPerSecond);
    manager.silentCoins.set(silentCoins.length);
    return { at: now, recordsPerSecond, ...pipelineFigures, silentCoins };
  }

  // --- REST audit per symbol (src/audit/): how much of each coin's time was checked against the
  // exchange's own trade history, and what that found. Kept apart from `ours` and set from its
  // own source, because the audit's counters live outside the actor tree.
  const audit = {
    windows: new Counter({ name: 'tickvisor_coin_audit_windows_total', help: 'Windows of this coin audited against the exchange REST trade history', labelNames: COIN, registers: [registry] }),
    missing: new Counter({ name: 'tickvisor_coin_audit_missing_total', help: 'Trades the exchange lists that the audit found missing from the store', labelNames: COIN, registers: [registry] }),
    filled: new Counter({ name: 'tickvisor_coin_audit_filled_total', help: 'Missing trades the audit stored by REST backfill', labelNames: COIN, registers: [registry] }),
    unfilled: new Counter({
      name: 'tickvisor_coin_audit_unfilled_total',
      help: 'Audit windows the exchange REST history did not reach back over (e.g. Bybit serves only its last 1000 trades): older trades unchecked',
      labelNames: COIN,
      registers: [registry],
    }),
    failures: new Counter({ name: 'tickvisor_coin_audit_failures_total', help: 'Audits that failed (REST or store error) and are retried', labelNames: COIN, registers: [registry] }),
    until: new Gauge({ name: 'tickvisor_coin_audited_until_timestamp_seconds', help: 'End of the time of this coin audited so far, seconds since epoch', labelNames: COIN, registers: [registry] }),
  };
  function updateAudits(rows: readonly AuditRow[]): void {
    for (const m of Object.values(audit)) m.reset();
    for (const r of rows) {
      const labels = { exchange: r.exchange, market: r.market, symbol: r.symbol };
      audit.windows.inc(labels, r.windows);
      audit.missing.inc(labels, r.missing);
      audit.filled.inc(labels, r.filled);
      audit.unfilled.inc(labels, r.unfilled);
      audit.failures.inc(labels, r.failures);
      if (r.auditedUntil !== undefined) audit.until.set(labels, r.auditedUntil / 1000);
    }
  }
  // --- end of the REST audit block

  const updateRestBudgets = createRestBudgetMetrics(registry);
  const updateBooks = createBookMetrics(registry);
  const updateCluster = createClusterMetrics(registry);
  // --- format drift: frames a parser could not read, or whose kind it did not know (src/store/quarantine.ts)
  const quarantined = new Counter({
    name: 'tickvisor_collector_frames_quarantined_total',
    help: 'Frames that gave no records because the parser could not read them or did not know their kind, by reason (unreadable-json, too-large, unknown-kind, missing-field, bad-field, unknown-instrument)',
    labelNames: [...COLL, 'reason'],
    registers: [registry],
  });
  function updateQuarantine(rows: readonly QuarantineRow[]): void {
    quarantined.reset();
    for (const r of rows) quarantined.inc({ exchange: r.exchange, market: r.market, reason: r.reason }, r.count);
  }

  return {
    registry,
    update,
    updateAudits,
    updateRestBudgets,
    updateQuarantine,
    updateBooks,
    updateCluster,
    async scrape(tree, pipelines, activity, now) {
      update(tree, pipelines, activity, now);
      return registry.metrics();
    },
    get contentType() {
      return registry.contentType;
    },
  };
}
