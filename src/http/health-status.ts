/**
 * Is the collection healthy, degraded or down, and why — read off the supervision tree alone, so
 * /health, the status page's pill and a load balancer's probe all say the same thing.
 *   down      no collector running, or not one coin subscribed: nothing is being collected
 *   degraded  something is collected, but not all of it: a collector not Running or with no coin,
 *             a coin not Subscribed, a connector not Connected (reconnecting, recovering), a gap
 *             waiting for its backfill, a gap that could not be filled within the last
 *             `unfilledWindowMs` (10 min), a configured symbol the venue does not list
 *   healthy   none of that
 * `notes` are facts worth showing that do not change the status: gaps that could not be filled
 * longer ago are history (the count only grows), not a present condition.
 */
import { walk, type ActorNode } from '../runtime/state-tree.js';

export type HealthStatus = 'healthy' | 'degraded' | 'down';

export interface HealthAssessment {
  status: HealthStatus;
  /** why it is not healthy, one line each; empty when healthy */
  reasons: string[];
  notes: string[];
}

/** actors named in one reason at most; the count says how many more */
const MAX_NAMED = 5;

function named(nodes: readonly ActorNode[], label: (n: ActorNode) => string): string {
  const shown = nodes.slice(0, MAX_NAMED).map(label).join(', ');
  return nodes.length > MAX_NAMED ? `${shown} and ${nodes.length - MAX_NAMED} more` : shown;
}

const venueOf = (collector: ActorNode) => collector.id.replace(/^collector:/, '');
const symbolOf = (coin: ActorNode) => coin.id.replace(/^coin:/, '');

export interface HealthTiming {
  now: number;
  /** a gap that could not be filled degrades health this long (default 10 min) */
  unfilledWindowMs?: number;
}

/** a collector node may carry when its unfilled-gap count last grew (see health.ts) */
type Observed = ActorNode & { lastUnfilledAt?: number };

export const UNFILLED_WINDOW_MS = 10 * 60_000;

export function assessHealth(tree: ActorNode, timing?: HealthTiming): HealthAssessment {
  const reasons: string[] = [];
  const notes: string[] = [];
  const collectors = tree.children.filter((c) => c.kind === 'collector');
  const all = [...walk(tree)];
  const coins = all.filter((n) => n.kind === 'coin');
  const connectors = all.filter((n) => n.kind === 'connector');
  const subscribed = coins.filter((c) => c.state === 'Subscribed');
  const running = collectors.filter((c) => c.state === 'Running');

  let down = false;
  if (collectors.length === 0) {
    reasons.push('no collector configured');
    down = true;
  } else if (running.length === 0) {
    reasons.push(`no collector running (${named(collectors, (c) => `${venueOf(c)} ${c.detail}`)})`);
    down = true;
  }
  if (collectors.length > 0 && subscribed.length === 0) {
    reasons.push(`no coin subscribed (0 of ${coins.length})`);
    down = true;
  }

  const notRunning = collectors.filter((c) => c.state !== 'Running');
  if (notRunning.length > 0 && running.length > 0) reasons.push(`${notRunning.length} of ${collectors.length} collectors not running: ${named(notRunning, (c) => `${venueOf(c)} ${c.detail}`)}`);
  for (const c of running) {
    const own = [...walk(c)].filter((n) => n.kind === 'coin');
    if (own.length === 0) reasons.push(`${venueOf(c)} collects no coin (${c.detail})`);
  }
  for (const c of collectors) {
    if (c.unknownSymbols && c.unknownSymbols.length > 0) reasons.push(`${venueOf(c)} does not list configured symbol${c.unknownSymbols.length > 1 ? 's' : ''} ${c.unknownSymbols.join(', ')}`);
  }
  const waiting = coins.filter((c) => c.state !== 'Subscribed');
  if (waiting.length > 0 && subscribed.length > 0) reasons.push(`${waiting.length} of ${coins.length} coins not subscribed: ${named(waiting, (c) => `${symbolOf(c)} ${c.detail}`)}`);
  const offline = connectors.filter((c) => c.state !== 'Connected');
  if (offline.length > 0) reasons.push(`${offline.length} of ${connectors.length} connectors not connected: ${named(offline, (c) => `${c.id.replace(/^connector:/, '')} ${c.detail}`)}`);
  for (const c of collectors) {
    const pending = c.counters['gaps.pending'] ?? 0;
    if (pending > 0) reasons.push(`${venueOf(c)}: ${pending} gap${pending > 1 ? 's' : ''} waiting for backfill`);
    const unfilled = c.counters['gaps.unfilled'] ?? 0;
    const lastAt = (c as Observed).lastUnfilledAt;
    const windowMs = timing?.unfilledWindowMs ?? UNFILLED_WINDOW_MS;
    if (unfilled > 0 && timing !== undefined && lastAt !== undefined && timing.now - lastAt < windowMs) {
      reasons.push(`${venueOf(c)}: a gap could not be filled in the last ${Math.round(windowMs / 60_000)} min (${unfilled} since start)`);
    } else if (unfilled > 0) {
      notes.push(`${venueOf(c)}: ${unfilled} gap${unfilled > 1 ? 's' : ''} could not be filled since start`);
    }
  }
  const status: HealthStatus = down ? 'down' : reasons.length > 0 ? 'degraded' : 'healthy';
  return { status, reasons, notes };
}
