/**
 * The /health report: healthy, degraded or down with the reasons (health-status.ts), and the whole
 * supervision tree with each actor's state, since when it has been in that state, and its counters.
 *
 * The tree holds no timestamps, so "since" is observed: the tracker remembers when each actor id
 * was first seen in its current top-level state, across polls (the server polls every second).
 * An actor already in its state when the server started reads "since the first observation".
 */
import type { ActorNode } from '../runtime/state-tree.js';
import { assessHealth, type HealthStatus } from './health-status.js';

export interface HealthNode {
  id: string;
  kind: ActorNode['kind'];
  state: string;
  detail: string;
  /** ms since epoch at which this actor was first observed in `state` */
  since: number;
  counters: Record<string, number>;
  lastError?: string;
  unknownSymbols?: string[];
  /** a collector: when its count of gaps that could not be filled last grew (ms since epoch) */
  lastUnfilledAt?: number;
  children: HealthNode[];
}

export interface HealthReport {
  /** status is `healthy`: /health answers 200 only then, 503 otherwise */
  healthy: boolean;
  status: HealthStatus;
  /** why it is not healthy, one line each; empty when healthy */
  reasons: string[];
  /** facts that do not change the status (gaps that could not be filled since start) */
  notes: string[];
  /** ms since epoch */
  at: number;
  collectors: { total: number; running: number };
  tree: HealthNode;
}

export class StateSinceTracker {
  private seen = new Map<string, { state: string; since: number }>();
  /** per collector: its unfilled-gap count when last seen, and when that count last grew */
  private unfilled = new Map<string, { count: number; at?: number }>();

  /** Annotates the tree with `since` (and when unfilled gaps last grew) and forgets actors that are no longer in it. */
  observe(tree: ActorNode, now: number): HealthNode {
    const next = new Map<string, { state: string; since: number }>();
    const nextUnfilled = new Map<string, { count: number; at?: number }>();
    const visit = (n: ActorNode): HealthNode => {
      const old = this.seen.get(n.id);
      const mark = old && old.state === n.state ? old : { state: n.state, since: now };
      next.set(n.id, mark);
      let lastUnfilledAt: number | undefined;
      const count = n.counters['gaps.unfilled'];
      if (count !== undefined) {
        const before = this.unfilled.get(n.id);
        // a count seen for the first time that is already above 0 grew at some unknown time: now
        const grew = before === undefined ? count > 0 : count > before.count;
        lastUnfilledAt = grew ? now : before?.at;
        nextUnfilled.set(n.id, { count, ...(lastUnfilledAt !== undefined ? { at: lastUnfilledAt } : {}) });
      }
      return {
        id: n.id,
        kind: n.kind,
        state: n.state,
        detail: n.detail,
        since: mark.since,
        counters: n.counters,
        ...(n.lastError !== undefined ? { lastError: n.lastError } : {}),
        ...(n.unknownSymbols !== undefined ? { unknownSymbols: n.unknownSymbols } : {}),
        ...(lastUnfilledAt !== undefined ? { lastUnfilledAt } : {}),
        children: n.children.map(visit),
      };
    };
    const out = visit(tree);
    this.seen = next;
    this.unfilled = nextUnfilled;
    return out;
  }
}

export function healthReport(tree: HealthNode, now: number): HealthReport {
  const collectors = tree.children.filter((c) => c.kind === 'collector');
  const running = collectors.filter((c) => c.state === 'Running').length;
  const { status, reasons, notes } = assessHealth(tree, { now });
  return { healthy: status === 'healthy', status, reasons, notes, at: now, collectors: { total: collectors.length, running }, tree };
}
