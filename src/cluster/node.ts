/**
 * One tickvisor node of a cluster (docs/cluster.md): what the runtime starts when the configuration
 * has `cluster:`. It holds the NATS connection, one lease per work unit (exchange × market) and the
 * publisher of committed trades; the runtime tells it what was committed and it tells the runtime
 * when a unit may run (`onGranted`, with the cursors the stream already holds for the unit's
 * symbols, so the node taking over backfills from exactly there) and when it must stop
 * (`onLost`, called before the server can let another node take the unit).
 *
 * Shutdown order (stop): the caller has stopped its collectors and flushed its pipelines; the
 * publisher sends every window still open and waits (bounded) for the acks, the cursors are written,
 * then the leases are released so the next node need not wait for them to lapse.
 */
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { hostname } from 'node:os';
import type { ClusterConfig } from '../config/schema.js';
import type { ExchangeId, Market, Ticker, Trade } from '../records.js';
import type { TradeRows } from '../store/types.js';
import { backgroundClock, type Clock } from '../time/clock.js';
import { lowerFloor } from '../time/floors.js';
import { CURSOR_BUCKET, CursorTracker, cursorKey, cursorOf, cursorSymbol, cursorUnit, openCursorBucket, type PublishedCursor } from './cursors.js';
import { bucketKeys } from './kv-keys.js';
import { kvLeaseStore, LEASE_BUCKET, openLeaseBucket, unitLeaseKey } from './kv-leases.js';
import { leaseTiming } from './lease-logic.js';
import { LeaseRunner, monotonicClock, type LeaseStore } from './lease-runner.js';
import { handOverReason, mayTakeSlot, Presence, type NodeLoad } from './balance.js';
import { connectNats } from './nats-connect.js';
import type { CommittedBookRun } from '../store/books/sink.js';
import { BookLinks } from './book-feed.js';
import { jetStreamTarget, TradePublisher, type PublisherStats } from './publisher.js';
import { retryJetStreamSetup } from './setup-retry.js';
import { STREAM_NAME } from './subjects.js';
import { ensureStream } from './stream.js';
import { addStreamCursors } from './stream-cursors.js';

export interface ClusterUnit {
  /** the collector's id in the tree */
  id: string;
  exchange: ExchangeId;
  market: Market;
}

export interface ClusterNodeOptions {
  config: ClusterConfig;
  units: readonly ClusterUnit[];
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** the unit may run: `cursors` are the newest trades the stream holds per symbol of the unit */
  onGranted(unit: ClusterUnit, cursors: ReadonlyMap<string, PublishedCursor>): void;
  /** the unit must stop now */
  onLost(unit: ClusterUnit): void;
  /** timers of the publisher and the cursor flush (default: real time, never keeping the process alive) */
  clock?: Clock;
  /** see DEFAULT_MAX_BACKLOG_TRADES */
  maxBacklogTrades?: number;
  /**
   * What the node holds of a unit that has not reached the stream yet (exchange times): per
   * symbol, the start of a known hole not yet filled; `all`, the oldest trade its pipeline has not
   * committed (Infinity: none). Published cursors stay below both, so a node that dies leaves the
   * next holder a cursor it can backfill every such trade from (docs/cluster.md, cursors).
   */
  heldBack?(unit: ClusterUnit): { symbols: ReadonlyMap<string, number>; all: number } | undefined;
}

export interface UnitLease {
  unit: string;
  /** this node may run the unit now */
  held: boolean;
  /** the lease slot held (0 … redundancy − 1), when held */
  slot?: number;
  /** the held slot's lease state, or what the node is doing to get one */
  state: string;
}

export interface ClusterNode {
  readonly name: string;
  /** committed trades of units this node runs */
  publish(trades: readonly Trade[]): void;
  /** the same as columns: a committed batch of one venue's trades, no record made per trade */
  publishRows(rows: TradeRows): void;
  /** committed tickers of units this node runs */
  publishTickers(tickers: readonly Ticker[]): void;
  /** what the book store committed (BookSink onCommitted): read during the call, published as copies */
  publishBooks(runs: readonly CommittedBookRun[]): void;
  leases(): UnitLease[];
  publisherStats(): PublisherStats;
  /** publishes what is left (at most `timeoutMs`), writes the cursors, releases the leases, closes NATS */
  stop(timeoutMs?: number): Promise<void>;
}

/** a unit handed over: time for its open windows to close (at least this, and the window and grace), then at most this for their acks */
const HANDOVER_WINDOWS_MS = 300;
const HANDOVER_PUBLISH_MS = 2_000;

/**
 * Trades committed and not yet acknowledged by the stream, at most (default): past it the node
 * hands its units over one by one and takes none until the backlog is under half of it. A
 * lease's deadline already bounds what piles up while NATS is away altogether; this bounds it
 * when the KV answers but the stream does not take the data.
 */
export const DEFAULT_MAX_BACKLOG_TRADES = 1_000_000;

/** how often moved cursors are written to KV */
const CURSOR_FLUSH_MS = 1_000;

export function defaultNodeName(): string {
  return `${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}-${process.pid}`;
}

export async function startClusterNode(options: ClusterNodeOptions): Promise<ClusterNode> {
  const { config, log } = options;
  const clock = options.clock ?? backgroundClock;
  const name = config.node ?? defaultNodeName();
  const nc: NatsConnection = await connectNats(config.nats.join(','), { name: `tickvisor ${name}` });
  try {
    // a node started during a leader election waits for it (setup-retry.ts)
    const setup = <T>(what: string, step: () => Promise<T>) =>
      retryJetStreamSetup(step, {
        clock,
        what,
        onRetry: (error, attempt) => {
          if (attempt === 1) log.warn({ node: name, error: error instanceof Error ? error.message : String(error) }, `cluster: JetStream does not answer yet (setting up ${what}); waiting`);
        },
      });
    await setup(`stream ${config.stream ?? STREAM_NAME}`, () => ensureStream(nc, { replicas: config.replicas, name: config.stream }));
    const leaseKv = await setup(`KV bucket ${LEASE_BUCKET}`, () => openLeaseBucket(nc, { ttlMs: config.leaseTtlMs, replicas: config.replicas }));
    const cursorKv = await setup(`KV bucket ${CURSOR_BUCKET}`, () => openCursorBucket(nc, config.replicas));
    return new RunningNode(nc, leaseKv, cursorKv, name, options, clock);
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw error;
  }
}

class RunningNode implements ClusterNode {
  private readonly publisher: TradePublisher;
  /** each symbol's last committed book sequence, for the links its next records carry */
  private readonly bookLinks = new BookLinks();
  private readonly cursors: CursorTracker;
  private readonly units = new Map<string, UnitSlots>();
  private cursorTimer: unknown;
  private balanceTimer: unknown;
  private readonly presence: Presence;
  private readonly maxBacklog: number;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    leaseKv: KV,
    private readonly cursorKv: KV,
    readonly name: string,
    private readonly options: ClusterNodeOptions,
    private readonly clock: Clock,
  ) {
    this.maxBacklog = options.maxBacklogTrades ?? options.config.maxBacklogTrades ?? DEFAULT_MAX_BACKLOG_TRADES;
    this.cursors = new CursorTracker((key, value) => cursorKv.put(key, value));
    this.publisher = new TradePublisher(jetStreamTarget(jetstream(nc)), {
      clock,
      windowMs: options.config.windowMs,
      onAcked: (batch) => this.cursors.noteAckedWindow(batch),
    });
    this.publisher.start();
    this.armCursorFlush();
    const timing = leaseTiming({ ttlMs: options.config.leaseTtlMs });
    const store = kvLeaseStore(leaseKv);
    this.presence = new Presence({ node: name, kv: leaseKv, store, timing, clock: monotonicClock, listKeys: async (filter) => bucketKeys(await this.jsm(), LEASE_BUCKET, filter) });
    this.presence.start();
    const slots = options.units.length * options.config.redundancy;
    const mayAcquire = (key: string) => this.stopping === undefined && (mayTakeSlot(this.load(slots)) || this.orphaned(key, store, timing.acquireIntervalMs));
    for (const unit of options.units) {
      const unitSlots = new UnitSlots(unit, options.config.redundancy, (key, callbacks) => new LeaseRunner({ key, node: name, timing, store, mayAcquire: () => mayAcquire(key) }, callbacks), {
        granted: (runner) => void this.grant(unit, runner),
        lost: (reason) => {
          options.log.warn({ unit: unit.id, node: name, reason }, 'cluster: lease lost, the unit stops here');
          options.onLost(unit);
        },
      });
      this.units.set(unit.id, unitSlots);
      unitSlots.seek();
    }
    this.armBalance(timing.acquireIntervalMs, slots);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.clock.setTimeout(() => resolve(), ms));
  }

  private jsmOnce: Promise<JetStreamManager> | undefined;
  private jsm(): Promise<JetStreamManager> {
    // a failed attempt (NATS away) is not kept: the next call tries again
    this.jsmOnce ??= jetstreamManager(this.nc).catch((error: unknown) => {
      this.jsmOnce = undefined;
      throw error;
    });
    return this.jsmOnce;
  }

  /** lease key → since when it has been seen free (monotonic ms) by this node while at its share */
  private readonly freeSince = new Map<string, number>();

  /**
   * A slot nobody takes: every node below its share may already hold the unit's other slot (a
   * node holds one slot of a unit at most), and the others are at their share. Seen free for two
   * acquire intervals, it is taken above the share; the node then hands over another unit, which
   * a node below its share can take. The look is asynchronous: its answer serves the next attempt.
   */
  private orphaned(key: string, store: LeaseStore, intervalMs: number): boolean {
    const now = monotonicClock.now();
    void store.get(key).then(
      (entry) => {
        if (entry !== null) this.freeSince.delete(key);
        else if (!this.freeSince.has(key)) this.freeSince.set(key, now);
      },
      () => undefined,
    );
    const since = this.freeSince.get(key);
    if (since === undefined || now - since < 2 * intervalMs) return false;
    this.freeSince.delete(key);
    return true;
  }

  private load(slots: number): NodeLoad {
    return { held: this.heldUnits(), slots, nodes: this.presence.liveNodes(), backlog: this.publisher.stats.backlog, maxBacklog: this.maxBacklog };
  }

  private heldUnits(): number {
    let n = 0;
    for (const u of this.units.values()) if (u.holds()) n++;
    return n;
  }

  /**
   * Above its fair share (a node joined), the node gives back one unit per acquire interval: the
   * unit stops here, what it committed is published and its cursors written, then its lease is
   * deleted, so the newcomer (which takes it at its next attempt) backfills as little as possible.
   */
  private armBalance(everyMs: number, slots: number): void {
    this.balanceTimer = this.clock.setTimeout(() => {
      void (async () => {
        if (this.stopping !== undefined) return;
        const reason = handOverReason(this.load(slots));
        if (reason !== undefined) {
          // not the unit granted last: that may be the orphaned slot taken above the share
          const held = [...this.units].filter(([, u]) => u.holds()).sort((a, b) => a[1].grantedAt - b[1].grantedAt);
          const [id, unit] = (held.length > 1 ? held[held.length - 2] : held[0]) ?? [];
          const spec = this.options.units.find((u) => u.id === id);
          if (unit && spec) {
            if (reason === 'backlog') this.options.log.warn({ unit: spec.id, node: this.name, backlog: this.publisher.stats.backlog }, 'cluster: the stream is not keeping up with this node, the unit is handed over');
            else this.options.log.info({ unit: spec.id, node: this.name, nodes: this.presence.liveNodes() }, 'cluster: above the fair share, the unit is handed over');
            this.options.onLost(spec);
            // the unit's last windows close after the window and its grace, then go out
            await this.sleep(Math.max(HANDOVER_WINDOWS_MS, this.options.config.windowMs + this.publisher.currentGraceMs + 50));
            await Promise.race([this.publisher.idle(), this.sleep(HANDOVER_PUBLISH_MS)]);
            await this.flushCursors().catch(() => 0);
            await unit.shed();
          }
        }
      })().finally(() => {
        if (this.stopping === undefined) this.armBalance(everyMs, slots);
      });
    }, everyMs);
  }

  publish(trades: readonly Trade[]): void {
    if (trades.length > 0) this.publisher.push(trades);
  }

  publishRows(rows: TradeRows): void {
    if (rows.columns.length > 0) this.publisher.pushRows(rows);
  }

  /** committed tickers of units this node runs */
  publishTickers(tickers: readonly Ticker[]): void {
    if (tickers.length > 0) this.publisher.pushTickers(tickers);
  }

  publishBooks(runs: readonly CommittedBookRun[]): void {
    if (runs.length > 0) this.publisher.pushBooks(this.bookLinks.rows(runs));
  }

  leases(): UnitLease[] {
    return [...this.units].map(([unit, slots]) => ({ unit, ...slots.describe() }));
  }

  publisherStats(): PublisherStats {
    return this.publisher.stats;
  }

  stop(timeoutMs = 5_000): Promise<void> {
    this.stopping ??= (async () => {
      if (this.cursorTimer !== undefined) this.clock.clearTimeout(this.cursorTimer);
      if (this.balanceTimer !== undefined) this.clock.clearTimeout(this.balanceTimer);
      const published = await this.publisher.close(timeoutMs);
      if (!published) this.options.log.warn({ node: this.name, backlog: this.publisher.stats.backlog }, 'cluster: trades not acknowledged by the stream at stop; the next holder backfills them from the cursors');
      await this.flushCursors().catch(() => 0);
      await Promise.allSettled([...[...this.units.values()].map((u) => u.release()), this.presence.stop()]);
      await this.nc.close().catch(() => undefined);
    })();
    return this.stopping;
  }

  /**
   * A unit starts only once the stream's cursors are read: starting from the local store alone
   * would leave the hole since the last holder's publishing unseen (no gap window opens for it)
   * on a venue without dense ids, and beyond a venue's REST reach for good. While the KV does not
   * answer (a NATS leader election), the read is retried as long as the lease holds.
   */
  private async grant(unit: ClusterUnit, runner: LeaseRunner): Promise<void> {
    let delay = 250;
    let cursors: Map<string, PublishedCursor> | undefined;
    for (let attempt = 0; cursors === undefined; attempt++) {
      try {
        const read = await readUnitCursors(await this.jsm(), this.cursorKv, unit.exchange, unit.market);
        await addStreamCursors(await this.jsm(), this.options.config.stream, unit.exchange, unit.market, read);
        cursors = read;
      } catch (error) {
        if (attempt === 0) this.options.log.warn({ unit: unit.id, error: error instanceof Error ? error.message : String(error) }, 'cluster: cursors could not be read; the unit waits for them');
        if (!runner.mayWork() || this.stopping !== undefined) return;
        await new Promise<void>((resolve) => this.clock.setTimeout(() => resolve(), delay));
        delay = Math.min(2_000, delay * 2);
      }
      if (!runner.mayWork() || this.stopping !== undefined) return;
    }
    this.options.log.info({ unit: unit.id, node: this.name, cursors: cursors.size }, 'cluster: lease taken, the unit runs here');
    this.options.onGranted(unit, cursors);
  }

  /** writes the cursors that moved, each held below what is still on its way to the stream */
  private flushCursors(): Promise<number> {
    const floors = this.publisher.pendingFloors();
    const unitFloors = new Map<string, number>();
    const heldBack = this.options.heldBack;
    if (heldBack !== undefined) {
      for (const unit of this.options.units) {
        const held = heldBack(unit);
        if (held === undefined) continue;
        if (Number.isFinite(held.all)) unitFloors.set(cursorUnit(unit.exchange, unit.market), held.all);
        for (const [symbol, from] of held.symbols) lowerFloor(floors, cursorKey(unit.exchange, unit.market, symbol), from);
      }
    }
    return this.cursors.flush(floors, unitFloors);
  }

  private armCursorFlush(): void {
    this.cursorTimer = this.clock.setTimeout(() => {
      void this.flushCursors().finally(() => {
        if (this.stopping === undefined) this.armCursorFlush();
      });
    }, CURSOR_FLUSH_MS);
  }
}

/** every cursor the stream holds for one unit: symbol → newest published trade */
async function readUnitCursors(jsm: JetStreamManager, kv: KV, exchange: ExchangeId, market: Market): Promise<Map<string, PublishedCursor>> {
  const out = new Map<string, PublishedCursor>();
  for (const key of await bucketKeys(jsm, CURSOR_BUCKET, `${exchange}.${market}.>`)) {
    const symbol = cursorSymbol(key);
    const cursor = symbol === undefined ? undefined : cursorOf(await kv.get(key));
    if (symbol !== undefined && cursor !== undefined) out.set(symbol, cursor);
  }
  return out;
}

type RunnerFactory = (key: string, callbacks: { onAcquired(): void; onLost(reason: string): void }) => LeaseRunner;

/**
 * One unit's lease slots: with `redundancy` R the unit has R lease keys (slot 0 is the plain unit
 * key), so R nodes collect it at once and the stream keeps one copy of what they publish. A node
 * seeks every slot and keeps the first it gets, releasing its attempts on the others: it never
 * holds two slots of one unit. When the held slot is lost, the work stops and every slot is
 * sought again.
 */
export class UnitSlots {
  private runners: LeaseRunner[] = [];
  private held: number | undefined;
  /** when the held slot was granted (monotonic ms) */
  grantedAt = 0;

  constructor(
    private readonly unit: ClusterUnit,
    private readonly redundancy: number,
    private readonly makeRunner: RunnerFactory,
    private readonly on: { granted(runner: LeaseRunner): void; lost(reason: string): void },
  ) {}

  seek(): void {
    const base = unitLeaseKey(this.unit.exchange, this.unit.market);
    this.runners = [];
    for (let slot = 0; slot < this.redundancy; slot++) {
      const key = slot === 0 ? base : `${base}.${slot}`;
      const runner = this.makeRunner(key, {
        onAcquired: () => this.acquired(slot, runner),
        onLost: (reason) => this.lost(slot, reason),
      });
      this.runners.push(runner);
    }
    for (const r of this.runners) r.start();
  }

  describe(): { held: boolean; slot?: number; state: string } {
    if (this.held !== undefined) {
      const r = this.runners[this.held] as LeaseRunner;
      return { held: r.mayWork(), slot: this.held, state: r.current.kind };
    }
    return { held: false, state: this.runners.some((r) => r.current.kind === 'acquiring') ? 'acquiring' : 'waiting' };
  }

  /** a slot of this unit is ours (granted, whether or not its deadline has passed) */
  holds(): boolean {
    return this.held !== undefined;
  }

  release(): Promise<unknown> {
    return Promise.allSettled(this.runners.map((r) => r.release()));
  }

  /** gives the held slot back (the lease deleted) and seeks again: the share gate decides when to take one. The caller has stopped the unit's work. */
  async shed(): Promise<void> {
    const old = this.runners;
    // the caller stopped the unit's work already: its release is not a loss to report again
    this.held = undefined;
    await Promise.allSettled(old.map((r) => r.release()));
    this.seek();
  }

  private acquired(slot: number, runner: LeaseRunner): void {
    if (this.held !== undefined && this.held !== slot) {
      // another slot of this unit is already ours: give this one back at once
      void runner.release();
      return;
    }
    this.held = slot;
    this.grantedAt = monotonicClock.now();
    this.runners.forEach((r, i) => {
      if (i !== slot) void r.release();
    });
    this.on.granted(runner);
  }

  private lost(slot: number, reason: string): void {
    if (this.held !== slot) return; // a slot given back on purpose, or never ours
    this.held = undefined;
    this.on.lost(reason);
    if (reason === 'released') return; // shutdown
    // the held runner retries on its own; the others were released: seek them all again
    const old = this.runners;
    this.seek();
    for (const r of old) void r.release();
  }
}
