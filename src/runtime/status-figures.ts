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

/**
 * The live line. `alerts`: what the runtime raised (every kind) and whether the store is failing
 * now; default: the Manager's count. `width`: the terminal's columns — the line is shortened to
 * fit (short labels, then the least telling parts dropped, then cut with an ellipsis) so a
 * terminal never wraps it: a wrapped line cannot be redrawn in place and leaves a stale row.
 */
export function statusLine(
  f: StatusFigures,
  recordsPerSecond: number,
  stored: number,
  alerts?: { raised: number; storeFailing: boolean },
  width?: number,
): string {
  const states = Object.entries(f.connectors.byState)
    .filter(([s]) => s !== 'Connected')
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const alertCount = alerts?.raised ?? f.alerts;
  const long = [
    `${Math.round(recordsPerSecond).toLocaleString('en')} rec/s`,
    `stored ${stored.toLocaleString('en')}`,
    `collectors ${f.collectors.running}/${f.collectors.total} running`,
    `connectors ${f.connectors.connected}/${f.connectors.total} connected${states ? ` (${states})` : ''}`,
    `coins ${f.coins.subscribed}/${f.coins.total} subscribed`,
    `restarts ${f.restarts}`,
    `alerts ${alertCount}`,
    ...(alerts?.storeFailing ? ['STORE WRITES FAILING'] : []),
  ].join(' · ');
  if (width === undefined || long.length <= width) return long;
  // short forms, most telling first: a failing store, then the data flow, then the tree
  const parts: Array<{ text: string; drop: number }> = [
    ...(alerts?.storeFailing ? [{ text: 'STORE FAILING', drop: 99 }] : []),
    { text: `${compact(recordsPerSecond)} rec/s`, drop: 98 },
    { text: `${compact(stored)} stored`, drop: 4 },
    { text: `coll ${f.collectors.running}/${f.collectors.total}`, drop: 2 },
    { text: `conn ${f.connectors.connected}/${f.connectors.total}${states ? ` (${states})` : ''}`, drop: 5 },
    { text: `coins ${f.coins.subscribed}/${f.coins.total}`, drop: 6 },
    { text: `rst ${f.restarts}`, drop: 1 },
    { text: `alerts ${alertCount}`, drop: 3 },
  ];
  let text = parts.map((p) => p.text).join(' · ');
  for (let rank = 1; text.length > width && rank <= 6; rank++) {
    const at = parts.findIndex((p) => p.drop === rank);
    if (at >= 0) parts.splice(at, 1);
    text = parts.map((p) => p.text).join(' · ');
  }
  return fitWidth(text, width);
}

/** at most `width` characters: cut with an ellipsis */
export function fitWidth(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, Math.max(0, width));
  return `${text.slice(0, width - 1)}…`;
}

const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

function compact(n: number): string {
  return COMPACT.format(Math.round(n));
}

/**
 * One line when every coin is subscribed ("7 collectors, 15 connectors, 24 coins: all
 * subscribed"), and again when they are after having not been — what a person watching wants
 * to know, instead of a line per state change. Returns the line to log, or undefined.
 */
export function subscriptionSummary(): (f: StatusFigures) => string | undefined {
  let all = false;
  let times = 0;
  return (f) => {
    const now = f.coins.total > 0 && f.coins.subscribed === f.coins.total;
    if (now === all) return undefined;
    all = now;
    if (!now) return undefined;
    times++;
    return `${f.collectors.total} collectors, ${f.connectors.total} connectors, ${f.coins.total} coins: all subscribed${times > 1 ? ' again' : ''}`;
  };
}
