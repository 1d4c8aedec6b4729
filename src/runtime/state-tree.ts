/**
 * The live state tree, read from the actor system: each actor's state and the counters a
 * person (or /health, or the status page) wants to see. Plain JSON; no actor refs escape.
 */
import type { AnyActorRef } from 'xstate';
import { actorKind, readActor, restartCounters, type ActorCounters, type ActorKind } from '../../machines/selectors.js';

export interface ActorNode {
  id: string;
  kind: ActorKind;
  /** top-level state name */
  state: string;
  /** full state value, nested states included (e.g. Failed.GaveUp) */
  detail: string;
  counters: ActorCounters;
  lastError?: string;
  /** a collector's configured symbols its venue does not list (health names them) */
  unknownSymbols?: string[];
  children: ActorNode[];
}

export function readStateTree(ref: AnyActorRef, id = 'manager'): ActorNode {
  const actor = readActor(ref, id);
  const node: ActorNode = {
    id,
    kind: actor.kind,
    state: actor.state,
    detail: actor.detail,
    counters: actor.counters,
    ...(actor.lastError !== undefined ? { lastError: actor.lastError } : {}),
    ...(actor.unknownSymbols ? { unknownSymbols: actor.unknownSymbols } : {}),
    children: [],
  };
  // supervisors keep restart records for their children
  const records = actor.childRecords;
  for (const [childId, child] of actor.children) {
    const sub = readStateTree(child, childId);
    const record = records?.[childId];
    if (record) Object.assign(sub.counters, restartCounters(record));
    node.children.push(sub);
  }
  // parked or restarting children are absent from the actor system but not from the picture
  if (records) {
    for (const [childId, r] of Object.entries(records)) {
      if (node.children.some((c) => c.id === childId)) continue;
      node.children.push({
        id: childId,
        kind: actorKind(childId),
        state: r.state,
        detail: r.parked ? `${r.state}.Parked` : `${r.state}.Restarting`,
        counters: restartCounters(r),
        ...(r.lastError ? { lastError: r.lastError } : {}),
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
