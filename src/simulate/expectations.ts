/** A run's verdict against its scenario's `expect`: one line per check, pure. */
import type { Scenario } from '../scenario/index.js';
import type { CollectorStatus } from './collector.js';
import type { BookSampleReport } from './book-sampler.js';
import type { Comparison } from './compare.js';

export interface Expectation {
  name: string;
  ok: boolean;
  detail: string;
}

export interface RunOutcome {
  verdict: Comparison;
  /** the collector's status once everything in flight landed (undefined: it never got that far) */
  endStatus: CollectorStatus | undefined;
  /**
   * the coins' states when recovery ended, before the exchange stopped trading (default: those of
   * endStatus). Judged there: once the exchange is stopped for the final drain, a feed that has
   * gone quiet is reconnected as it should be, and a long drain would show that, not the recovery.
   */
  coinsAtRest?: CollectorStatus['coins'];
  alerts: number;
  alertsByKind: Record<string, number>;
  expectedCoins: number;
  /**
   * the book samples, when the scenario keeps books; `sampled` false: the collector's books could
   * not be read (a child-process collector); `notLiveAtEnd`: books not live when recovery ended
   */
  book?: BookSampleReport & { notLiveAtEnd: string[]; sampled: boolean };
}

export function judge(scenario: Scenario, run: RunOutcome): Expectation[] {
  const e = scenario.expect;
  const v = run.verdict;
  const coins = run.coinsAtRest ?? run.endStatus?.coins ?? [];
  const subscribed = coins.filter((c) => c.state === 'Subscribed').length;
  const out: Expectation[] = [
    { name: 'lost', ok: v.lost <= e.lost, detail: `${v.lost} lost (expected ≤ ${e.lost})` },
    { name: 'duplicated', ok: v.duplicated <= e.duplicated, detail: `${v.duplicated} duplicated (expected ≤ ${e.duplicated})` },
    { name: 'unexpected', ok: v.unexpected === 0, detail: `${v.unexpected} stored trades the exchange never generated` },
  ];
  if (v.unfilled > 0) {
    // the documented limit of a venue's REST history: reported, and never a pass
    out.push({ name: 'unfilled', ok: false, detail: `${v.unfilled} unfilled: older than the venue's REST history when the collector came back (Bybit's documented limit)` });
  }
  if (e.maxAlerts !== undefined) out.push({ name: 'maxAlerts', ok: run.alerts <= e.maxAlerts, detail: `${run.alerts} alerts (expected ≤ ${e.maxAlerts})` });
  if (e.minStored !== undefined) out.push({ name: 'minStored', ok: v.stored >= e.minStored, detail: `${v.stored} stored (expected ≥ ${e.minStored})` });
  if (e.subscribedAtEnd) {
    out.push({ name: 'subscribedAtEnd', ok: subscribed === run.expectedCoins, detail: `${subscribed}/${run.expectedCoins} coins Subscribed at the end` });
  }
  for (const [kind, min] of Object.entries(e.alerts ?? {})) {
    const n = run.alertsByKind[kind] ?? 0;
    out.push({ name: `alerts.${kind}`, ok: n >= min, detail: `${n} ${kind} alert${n === 1 ? '' : 's'} (expected ≥ ${min})` });
  }
  for (const want of e.coins ?? []) {
    const coin = coins.find((c) => c.exchange === want.exchange && c.market === want.market && c.symbol === want.symbol);
    const name = `${want.exchange}:${want.market}:${want.symbol}`;
    out.push({
      name: `coins.${name}`,
      ok: coin?.state === want.state,
      detail: `coin ${name} ended ${coin ? coin.state : 'absent'} (expected ${want.state})`,
    });
  }
  if (run.book !== undefined) out.push(...judgeBooks(e.books, run.book));
  return out;
}

/** a scenario keeping books is always judged on mismatches and on having compared something */
function judgeBooks(want: Scenario['expect']['books'], b: NonNullable<RunOutcome['book']>): Expectation[] {
  const maxMismatched = want?.mismatched ?? 0;
  const minCompared = want?.minCompared ?? 1;
  const out: Expectation[] = [
    { name: 'books.mismatched', ok: b.mismatched <= maxMismatched, detail: `${b.mismatched} book samples differed from the true book (expected ≤ ${maxMismatched})` },
    {
      name: 'books.compared',
      ok: b.compared >= minCompared,
      detail: b.sampled ? `${b.compared} book samples compared with the true book (expected ≥ ${minCompared})` : 'books not sampled: the collector ran in a child process',
    },
  ];
  if (want?.liveAtEnd) {
    out.push({
      name: 'books.liveAtEnd',
      ok: b.sampled && b.notLiveAtEnd.length === 0,
      detail: b.notLiveAtEnd.length === 0 ? (b.sampled ? 'every book live at the end' : 'books not sampled') : `books not live at the end: ${b.notLiveAtEnd.join(', ')}`,
    });
  }
  if (want?.minResyncs !== undefined) {
    out.push({ name: 'books.minResyncs', ok: b.resyncs >= want.minResyncs, detail: `${b.resyncs} book resyncs (expected ≥ ${want.minResyncs})` });
  }
  return out;
}
