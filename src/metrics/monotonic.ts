/**
 * Monotonic totals from actor counters that restart at 0 with their actor.
 *
 * A supervisor restarts a failed Connector (or Collector) as a fresh actor whose context counts
 * from 0 again, while a Prometheus counter must never go down. For each series we keep the last
 * reading and a running total, and add what is new since the previous reading:
 * - same actor (generation unchanged) and the value grew: the difference;
 * - the value dropped: a fresh actor we were not told about (e.g. a regroup respawned it): all of it;
 * - the generation changed (the supervisor's restart count along the actor's path moved): a fresh
 *   actor, so all of its value is new even when it already counted past the old reading.
 * What an actor counted between the last reading and its crash is lost; scrape often enough.
 */
interface Series {
  last: number;
  total: number;
  generation: string;
}

export class MonotonicCounters {
  private readonly series = new Map<string, Series>();

  /** Folds one reading into the series `key` and returns its monotonic total. */
  read(key: string, value: number, generation = ''): number {
    if (!Number.isFinite(value) || value < 0) value = 0;
    const s = this.series.get(key);
    if (!s) {
      this.series.set(key, { last: value, total: value, generation });
      return value;
    }
    if (generation !== s.generation || value < s.last) s.total += value;
    else s.total += value - s.last;
    s.last = value;
    s.generation = generation;
    return s.total;
  }

  /** The total so far, without a reading (undefined for an unknown series). */
  total(key: string): number | undefined {
    return this.series.get(key)?.total;
  }

  /** Forgets every series whose key starts with `prefix` (an actor that is gone for good). */
  forget(prefix: string): void {
    for (const key of this.series.keys()) if (key.startsWith(prefix)) this.series.delete(key);
  }

  get size(): number {
    return this.series.size;
  }
}
