/**
 * The state tree flattened into labelled rows, one per actor, for the metrics registry; and the
 * bookkeeping that decides which actors are gone for good (their series are removed) and which
 * only have no live actor right now (their supervisor is restarting or parked them).
 *
 * Actor ids carry the labels (machines/ids.ts): `collector:EX:MKT`, `connector:EX:MKT:N`,
 * `coin:EX:MKT:SYMBOL` where SYMBOL may itself contain ':' (`BTC/USDT:USDT`).
 */
import type { ActorNode } from '../runtime/state-tree.js';

export type RowKind = 'manager' | 'collector' | 'connector' | 'coin';

export interface RowLabels {
  exchange?: string;
  market?: string;
  group?: string;
  symbol?: string;
}

export interface ActorRow {
  id: string;
  kind: RowKind;
  labels: RowLabels;
  /** the node as last read (its children are not used) */
  node: ActorNode;
  /** changes when a supervisor on the actor's path restarted it (see MonotonicCounters) */
  generation: string;
  parentId?: string;
  /** no live actor: the supervisor is restarting it or has parked it (state-tree's synthesized node) */
  dormant: boolean;
  /** not in the tree this time; kept because an ancestor is dormant and will bring it back */
  retained: boolean;
}

export function parseActorId(id: string): { kind: RowKind; labels: RowLabels } | undefined {
  if (id === 'manager') return { kind: 'manager', labels: {} };
  const parts = id.split(':');
  const [head, exchange, market] = parts;
  if (!exchange || !market) return undefined;
  if (head === 'collector' && parts.length === 3) return { kind: 'collector', labels: { exchange, market } };
  if (head === 'connector' && parts.length === 4) return { kind: 'connector', labels: { exchange, market, group: parts[3]! } };
  if (head === 'coin' && parts.length >= 4) return { kind: 'coin', labels: { exchange, market, symbol: parts.slice(3).join(':') } };
  return undefined;
}

export function isDormant(node: ActorNode): boolean {
  return node.detail.endsWith('.Restarting') || node.detail.endsWith('.Parked');
}

/** The rows of every manager, collector, connector and coin in the tree, parents first. */
export function rowsOf(tree: ActorNode): ActorRow[] {
  const rows: ActorRow[] = [];
  const visit = (node: ActorNode, parent: ActorRow | undefined) => {
    const parsed = parseActorId(node.id);
    if (!parsed) return;
    const restarts = node.counters.restartAttempts ?? 0;
    // coins are spawned by their connector: their generation is the connector's
    const generation =
      parsed.kind === 'coin' ? (parent?.generation ?? '') : parent && parent.kind !== 'manager' ? `${parent.generation}/${restarts}` : String(restarts);
    const row: ActorRow = {
      id: node.id,
      kind: parsed.kind,
      labels: parsed.labels,
      node,
      generation,
      ...(parent ? { parentId: parent.id } : {}),
      dormant: isDormant(node),
      retained: false,
    };
    rows.push(row);
    for (const child of node.children) visit(child, row);
  };
  visit(tree, undefined);
  return rows;
}

/** Remembers the actors seen, to tell "gone" from "being restarted". */
export class ActorTable {
  private known = new Map<string, ActorRow>();

  update(tree: ActorNode): { rows: ActorRow[]; removed: ActorRow[] } {
    const present = new Map(rowsOf(tree).map((r) => [r.id, r] as const));
    const rows = [...present.values()];
    const removed: ActorRow[] = [];
    const next = new Map(present);
    for (const [id, old] of this.known) {
      if (present.has(id)) continue;
      if (this.dormantAncestor(old, present)) {
        const kept = { ...old, retained: true };
        rows.push(kept);
        next.set(id, kept);
      } else {
        removed.push(old);
      }
    }
    this.known = next;
    return { rows, removed };
  }

  private dormantAncestor(row: ActorRow, present: ReadonlyMap<string, ActorRow>): boolean {
    let parentId = row.parentId;
    for (let depth = 0; parentId !== undefined && depth < 8; depth++) {
      const live = present.get(parentId);
      if (live) return live.dormant;
      parentId = this.known.get(parentId)?.parentId;
    }
    return false;
  }
}
