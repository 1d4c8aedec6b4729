/**
 * Spreading the work units over the nodes (docs/cluster.md#balance). Without it the first node to
 * start takes every unit and the others only stand by, so adding nodes would add no capacity.
 *
 * Each node announces itself with a presence key (`node.<name>`) in the lease bucket, renewed like
 * a lease, so a dead node's key lapses with the bucket's TTL. A node counts the live ones and
 * holds at most its fair share of the unit slots, ceil(slots / nodes): it takes a free slot only
 * below its share, and above it (a node joined) gives one unit back per lease time, which the
 * newcomer then takes. A node whose trades the stream does not take (a backlog over its cap) hands
 * its units over the same way. The decisions are pure; presence I/O is a LeaseRunner and a key
 * listing.
 */
import type { KV } from '@nats-io/kv';
import type { Clock } from '../time/clock.js';
import type { LeaseTiming } from './lease-logic.js';
import { LeaseRunner, type LeaseStore } from './lease-runner.js';

/** the presence key of one node */
export const nodePresenceKey = (node: string): string => `node.${node}`;

/** the most unit slots one node should hold when `nodes` nodes share `slots` slots */
export function fairShare(slots: number, nodes: number): number {
  return Math.ceil(slots / Math.max(1, nodes));
}

/** what a node knows when it decides to take or give back a unit */
export interface NodeLoad {
  /** unit slots it holds */
  held: number;
  /** unit slots in the cluster (units × redundancy) */
  slots: number;
  /** live nodes, itself included */
  nodes: number;
  /** its trades committed and not yet taken by the stream */
  backlog: number;
  maxBacklog: number;
}

/**
 * A free slot may be taken while the node holds fewer than its share, unless the stream is not
 * taking its trades (a backlog over half the cap: hysteresis, so it does not take back at once
 * what it just handed over).
 */
export function mayTakeSlot(load: NodeLoad): boolean {
  return load.backlog <= load.maxBacklog / 2 && load.held < fairShare(load.slots, load.nodes);
}

/**
 * Why the node should hand one unit over now, if it should (one at a time: the others take it
 * before the next): `backlog` when the stream does not keep up with it (backpressure), `share`
 * when it holds more than its share (a node joined).
 */
export function handOverReason(load: NodeLoad): 'backlog' | 'share' | undefined {
  if (load.held === 0) return undefined;
  if (load.backlog > load.maxBacklog) return 'backlog';
  return load.held > fairShare(load.slots, load.nodes) ? 'share' : undefined;
}

export interface PresenceOptions {
  node: string;
  kv: KV;
  store: LeaseStore;
  timing: LeaseTiming;
  clock: Clock;
  /** how often the live nodes are counted (default the renew interval) */
  countEveryMs?: number;
  /** the lease bucket's keys matching a filter, as one snapshot (kv-keys.ts) */
  listKeys(filter: string): Promise<string[]>;
}

/**
 * This node's presence key, and the count of live nodes (this one included) as last read. Until
 * the first count the node counts itself alone; a failed count keeps the last one.
 */
export class Presence {
  private readonly runner: LeaseRunner;
  private nodes = 1;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly options: PresenceOptions) {
    this.runner = new LeaseRunner({ key: nodePresenceKey(options.node), node: options.node, timing: options.timing, store: options.store, clock: options.clock });
  }

  start(): void {
    this.runner.start();
    void this.count();
  }

  /** live nodes, this one included */
  liveNodes(): number {
    return this.nodes;
  }

  /** reads the live nodes now (also done every countEveryMs) */
  async count(): Promise<number> {
    try {
      const names = new Set<string>([this.options.node]);
      for (const key of await this.options.listKeys('node.>')) {
        // a stopped node's key is deleted (listed until it expires): only a live entry counts
        const entry = await this.options.kv.get(key);
        if (entry?.operation === 'PUT') names.add(key.slice('node.'.length));
      }
      this.nodes = names.size;
    } catch {
      // keep the last count: a KV that does not answer changes nothing about who is alive
    }
    if (!this.stopped) this.timer = this.options.clock.setTimeout(() => void this.count(), this.options.countEveryMs ?? this.options.timing.renewIntervalMs);
    return this.nodes;
  }

  /** deletes the presence key so the others count one node fewer at once */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    await this.runner.release();
  }
}
