/** Hand-built state trees shaped like readStateTree's output, for the metrics and HTTP tests. */
import type { ActorNode } from '../../src/runtime/state-tree.js';

export function node(id: string, state: string, counters: Record<string, number> = {}, children: ActorNode[] = [], detail = state): ActorNode {
  const kind = id === 'manager' ? 'manager' : (id.split(':')[0] as ActorNode['kind']);
  return { id, kind, state, detail, counters, children };
}

export const coin = (exchange: string, market: string, symbol: string, state = 'Subscribed', requests = 1, failures = 0) =>
  node(`coin:${exchange}:${market}:${symbol}`, state, { subscribeRequests: requests, subscribeFailures: failures });

export function connectorCounters(over: Record<string, number> = {}): Record<string, number> {
  return {
    connectionAttempts: 1,
    connectionSuccesses: 1,
    subscriptionAttempts: 1,
    subscriptionSuccesses: 1,
    subscriptionFailures: 0,
    recoveryAttempts: 0,
    recoverySuccesses: 0,
    consecutiveFailures: 0,
    framesReceived: 10,
    recordsReceived: 9,
    malformedFrames: 0,
    rotations: 0,
    restartAttempts: 0,
    restartSuccesses: 0,
    ...over,
  };
}

export const connector = (exchange: string, market: string, group: number, state: string, counters: Record<string, number>, coins: ActorNode[], detail = state) =>
  node(`connector:${exchange}:${market}:${group}`, state, counters, coins, detail);

export const collector = (exchange: string, market: string, state: string, connectors: ActorNode[], over: Record<string, number> = {}, detail = state) =>
  node(`collector:${exchange}:${market}`, state, { errors: 0, listingFailures: 0, restartAttempts: 0, restartSuccesses: 0, ...over }, connectors, detail);

export const manager = (collectors: ActorNode[], alerts = 0) => node('manager', 'Managing', { alerts }, collectors);
