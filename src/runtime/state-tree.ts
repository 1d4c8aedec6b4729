/**
 * The live state tree, read from the actor system: each actor's state and the counters a
 * person (or /health, or the status page) wants to see. Plain JSON; no actor refs escape.
 */
import type { AnyActorRef } from 'xstate';

export interface ActorNode {
  id: string;
  kind: 'manager' | 'collector' | 'connector' | 'coin' | 'connection' | 'other';
  /** top-level state name */
  state: string;
  /** full state value, nested states included (e.g. Failed.GaveUp) */
  detail: string;
  counters: Record<string, number>;
  lastError?: string;
  /** a collector's configured symbols its venue does not list (health names them) */
  unknownSymbols?: string[];
  children: ActorNode[];
}

function kindOf(id: string): ActorNode['kind'] {
  const head = id.split(':')[0];
  if (id === 'manager' || head === 'collector' || head === 'connector' || head === 'coin' || head === 'connection') {
    return id === 'manager' ? 'manager' : (head as ActorNode['kind']);
  }
  return 'other';
}

function stateText(value: unknown): { state: string; detail: string } {
  if (typeof value === 'string') return { state: value, detail: value };
  if (value && typeof value === 'object') {
    const [head, rest] = Object.entries(value)[0] ?? ['?', undefined];
    const inner = stateText(rest);
    return { state: head, detail: rest === undefined ? head : `${head}.${inner.detail}` };
  }
  return { state: 'unknown', detail: 'unknown' };
}

const COUNTER_KEYS = [
  'connectionAttempts', 'connectionSuccesses', 'subscriptionAttempts', 'subscriptionSuccesses', 'subscriptionFailures',
  'recoveryAttempts', 'recoverySuccesses', 'consecutiveFailures', 'framesReceived', 'recordsReceived', 'malformedFrames',
  'subscribeRequests', 'subscribeFailures', 'errors', 'listingFailures', 'alerts', 'rotations', 'dataStalls',
  'symbolStalls',
] as const;

export function readStateTree(ref: AnyActorRef, id = 'manager'): ActorNode {
  const snapshot = ref.getSnapshot() as {
    value?: unknown;
    status?: string;
    context?: Record<string, unknown>;
    children?: Record<string, AnyActorRef | undefined>;
  };
  const { state, detail } = snapshot.value === undefined ? { state: snapshot.status ?? 'active', detail: snapshot.status ?? 'active' } : stateText(snapshot.value);
  const context = snapshot.context ?? {};
  const counters: Record<string, number> = {};
  for (const key of COUNTER_KEYS) {
    const v = context[key];
    if (typeof v === 'number') counters[key] = v;
  }
  // a collector's gap figures, as `gaps.<name>`
  const gaps = context.gaps;
  if (typeof gaps === 'object' && gaps !== null) {
    for (const [key, v] of Object.entries(gaps)) if (typeof v === 'number') counters[`gaps.${key}`] = v;
  }
  // supervisors keep restart records for their children
  const records = (context.connectors ?? context.collectors) as Record<string, { restartAttempts: number; restartSuccesses: number }> | undefined;
  const node: ActorNode = {
    id,
    kind: kindOf(id),
    state,
    detail,
    counters,
    ...(typeof context.lastError === 'string' ? { lastError: context.lastError } : {}),
    ...(Array.isArray(context.unknownSymbols) && context.unknownSymbols.length > 0 ? { unknownSymbols: context.unknownSymbols.filter((x): x is string => typeof x === 'string') } : {}),
    children: [],
  };
  for (const [childId, child] of Object.entries(snapshot.children ?? {})) {
    if (!child || childId === 'connection' || !/^(collector|connector|coin):/.test(childId)) continue;
    const sub = readStateTree(child, childId);
    const record = records?.[childId];
    if (record) {
      sub.counters.restartAttempts = record.restartAttempts;
      sub.counters.restartSuccesses = record.restartSuccesses;
    }
    node.children.push(sub);
  }
  // parked or restarting children are absent from the actor system but not from the picture
  if (records) {
    for (const [childId, r] of Object.entries(records)) {
      if (node.children.some((c) => c.id === childId)) continue;
      const rec = r as unknown as { state: string; lastError?: string; parked?: boolean };
      node.children.push({
        id: childId,
        kind: kindOf(childId),
        state: rec.state,
        detail: rec.parked ? `${rec.state}.Parked` : `${rec.state}.Restarting`,
        counters: { restartAttempts: r.restartAttempts, restartSuccesses: r.restartSuccesses },
        ...(rec.lastError ? { lastError: rec.lastError } : {}),
        children: [],
      });
    }
  }
  node.children.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  return node;
}

/** Every node of the tree, depth first. */
export function* walk(node: ActorNode): Generator<ActorNode> {
  yield node;
  for (const c of node.children) yield* walk(c);
}
