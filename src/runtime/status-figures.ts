/** Status figures read off the state tree: the live line `tickvisor run` prints and the status page summary. */
import { walk, type ActorNode } from './state-tree.js';

export interface StatusFigures {
  collectors: { total: number; running: number };
  connectors: { total: number; connected: number; byState: Record<string, number> };
  coins: { total: number; subscribed: number };
  restarts: number;
  alerts: number;
}

export function statusFigures(tree: ActorNode): StatusFigures {
  const f: StatusFigures = {
    collectors: { total: 0, running: 0 },
    connectors: { total: 0, connected: 0, byState: {} },
    coins: { total: 0, subscribed: 0 },
    restarts: 0,
    alerts: tree.counters.alerts ?? 0,
  };
  for (const n of walk(tree)) {
    if (n.kind === 'collector') {
      f.collectors.total++;
      if (n.state === 'Running') f.collectors.running++;
    } else if (n.kind === 'connector') {
      f.connectors.total++;
      if (n.state === 'Connected') f.connectors.connected++;
      f.connectors.byState[n.state] = (f.connectors.byState[n.state] ?? 0) + 1;
      f.restarts += n.counters.restartAttempts ?? 0;
    } else if (n.kind === 'coin') {
      f.coins.total++;
      if (n.state === 'Subscribed') f.coins.subscribed++;
    }
    if (n.kind === 'collector') f.restarts += n.counters.restartAttempts ?? 0;
  }
  return f;
}

/** `alerts`: what the runtime raised (every kind) and whether the store is failing now; default: the Manager's count */
export function statusLine(f: StatusFigures, recordsPerSecond: number, stored: number, alerts?: { raised: number; storeFailing: boolean }): string {
  const states = Object.entries(f.connectors.byState)
    .filter(([s]) => s !== 'Connected')
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  return (
    `${Math.round(recordsPerSecond).toLocaleString('en')} rec/s · stored ${stored.toLocaleString('en')} · ` +
    `collectors ${f.collectors.running}/${f.collectors.total} running · ` +
    `connectors ${f.connectors.connected}/${f.connectors.total} connected${states ? ` (${states})` : ''} · ` +
    `coins ${f.coins.subscribed}/${f.coins.total} subscribed · restarts ${f.restarts} · alerts ${alerts?.raised ?? f.alerts}` +
    (alerts?.storeFailing ? ' · STORE WRITES FAILING' : '')
  );
}
