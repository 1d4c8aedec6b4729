/**
 * One audit of one symbol (I/O injected): the exchange's trades since the window start, by REST,
 * against what the store holds for the same window; what the store lacks goes back into the
 * pipeline as 'backfill', where dedup drops anything that meanwhile arrived live.
 *
 * The window ends at the older of `now - settleMs` (trades still on their way over the socket are
 * not missing yet) and just before the newest trade REST returned (the exchange's clock may run
 * behind ours: a trade it publishes later never lands in a window already judged). With no trade
 * since the window start there is nothing to judge, and the window stays open.
 *
 * REST reaches back only so far: one audit pages through at most `maxTrades` (Upbit, OKX), and
 * Bybit serves only its most recent trades (spot 60, linear 1000) with no paging at all. A window
 * the answer does not reach back over is still judged for what the answer holds, then closed and
 * reported `complete: false` (counted unfilled): what is older is beyond what the exchange serves.
 * An answer cut short by `maxTrades` alone (`capped`) is different: the exchange does serve the
 * older part, so it becomes the symbol's backlog, judged next, below the oldest trade judged now,
 * until an answer reaches the window start. No stretch of time is skipped for being busy.
 *
 * An answer is judged only when it can be believed. One the adapter itself calls `unproven` (pages
 * short or empty against what it knows exists), one that claims the window whole while the
 * store holds trades of the window older than anything it listed, or one whole only on the
 * venue's word that nothing older exists (`wholeHistoryFrom`) while the store holds an older
 * trade, is not "nothing missing": the
 * window stays open (`until` undefined, `unproven: true`) and is asked again on a later turn.
 */
import type { BackfillResult } from '../exchanges/types.js';
import type { Trade } from '../records.js';
import type { AuditBacklog, AuditTask } from './audit-schedule.js';

export interface AuditIo {
  /**
   * the exchange's trades of `symbol` with timestamp >= from, ascending, as far back as one audit
   * may page (below the trade `beforeId` when given); undefined: instrument unknown
   */
  recentTrades(symbol: string, from: number, beforeId?: string): Promise<BackfillResult | undefined>;
  /** ids of the symbol's trades held in the store with timestamp in [from, to], once what the pipeline holds has been committed */
  storedIds(symbol: string, from: number, to: number): Promise<ReadonlySet<string>>;
  /** push trades into the pipeline as 'backfill'; returns how many it accepted as new */
  backfill(trades: Trade[]): number;
}

export interface AuditResult {
  symbol: string;
  from: number;
  /** inclusive end of the window judged; undefined: nothing to judge yet (the window stays open) */
  until?: number;
  /** trades REST listed in the window */
  checked: number;
  /** of those, not in the store */
  missing: number;
  /** of the missing, accepted by the pipeline as new (the rest had arrived live meanwhile or were refused) */
  filled: number;
  /** false: REST did not reach back to the window start; what is older could not be checked */
  complete: boolean;
  /** the answer contradicted what is known to exist (short or empty pages): not judged, asked again later */
  unproven?: true;
  /**
   * the answer was capped at `maxTrades` before it reached the window start: the older part is
   * still to be judged, next, below the oldest trade judged (not unfilled: the exchange serves it)
   */
  backlog?: AuditBacklog;
}

export interface AuditTiming {
  now: number;
  settleMs: number;
  /** the store is read this much wider on each side: REST and the socket may stamp one trade apart */
  storeSlackMs?: number;
}

/** how far before a claimed history start the store is searched for a trade that contradicts it */
const WHOLE_HISTORY_LOOKBACK_MS = 60_000;

export async function runAudit(io: AuditIo, task: AuditTask, timing: AuditTiming): Promise<AuditResult> {
  const { symbol, from } = task;
  const open: AuditResult = { symbol, from, checked: 0, missing: 0, filled: 0, complete: true };
  const answer = await io.recentTrades(symbol, from, task.beforeId);
  if (answer === undefined) return open;
  const notBelieved: AuditResult = { ...open, complete: false, unproven: true };
  if (answer.incomplete === 'unproven') return notBelieved;
  const slack = timing.storeSlackMs ?? timing.settleMs;
  if (answer.complete && answer.wholeHistoryFrom !== undefined) {
    // "nothing older exists" against the store: a stored trade older than the venue's claimed
    // history start makes the answer a partial one, believed, it closed a window the live stream
    // had lost (a short page in a stall) with nothing found missing
    const older = await io.storedIds(symbol, answer.wholeHistoryFrom - WHOLE_HISTORY_LOOKBACK_MS, answer.wholeHistoryFrom - slack - 1);
    if (older.size > 0) return notBelieved;
  }
  const trades = answer.trades;
  const newest = trades[trades.length - 1];
  const backlogTask = task.beforeId !== undefined && task.to !== undefined;
  if (newest === undefined) {
    // the rest of a window below a trade: nothing there is an answer (complete or beyond reach)
    return backlogTask ? { ...open, until: task.to, complete: answer.complete } : { ...open, complete: answer.complete };
  }
  // the rest of a window ends where the capped answer before it stopped; a window up to now ends
  // before the newest trade listed, and clear of what may still be on its way over the socket
  const until = backlogTask ? (task.to as number) : Math.min(timing.now - timing.settleMs, newest.timestamp - 1);
  if (until < from) return { ...open, complete: true };
  const rest = answer.incomplete === 'capped' ? answer.resumeBefore : undefined;
  const backlog: AuditBacklog | undefined = rest === undefined ? undefined : { from, to: Math.min(rest.timestamp, until), beforeId: rest.id };

  const inWindow = trades.filter((t) => t.timestamp >= from && t.timestamp <= until);
  // An answer that claims the whole window but starts well after it: whatever the store holds in
  // between (clear of the stamping slack at both ends) is a trade REST should have listed and did not.
  const firstListed = inWindow[0]?.timestamp ?? until;
  if (answer.complete && from + slack < firstListed - slack) {
    const older = await io.storedIds(symbol, from + slack, firstListed - slack - 1);
    if (older.size > 0) return notBelieved;
  }
  // from the oldest trade REST listed, not from the window start: a window that outgrew what REST
  // serves may span hours, and the store read stays as small as the answer (maxTrades) that way
  const oldest = inWindow[0];
  const held = oldest !== undefined ? await io.storedIds(symbol, oldest.timestamp - slack, until + slack) : new Set<string>();
  const missing = inWindow.filter((t) => !held.has(t.id));
  const filled = missing.length > 0 ? io.backfill(missing) : 0;
  const judged: AuditResult = { symbol, from, until, checked: inWindow.length, missing: missing.length, filled, complete: answer.complete };
  return backlog === undefined ? judged : { ...judged, backlog };
}
