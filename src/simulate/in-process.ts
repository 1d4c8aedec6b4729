/** The tickvisor under test in this process: the usual scripted run (nothing to kill). */
import type { Alert } from '../alerts/index.js';
import type { TickvisorConfigInput } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { createTickvisor } from '../compose/tickvisor.js';
import { createStoreFaultGate } from '../store/index.js';
import { statusFromTree, type CollectorStatus, type CollectorUnderTest } from './collector.js';

export async function startInProcess(config: TickvisorConfigInput, logger: Logger): Promise<CollectorUnderTest> {
  // `store-full` faults fail the tree's store commits through this gate
  const storeFaults = createStoreFaultGate();
  const tv = createTickvisor(config, { logger, storeFaultGate: storeFaults });
  const alerts: Alert[] = [];
  const commits: number[] = [];
  tv.alerts$.subscribe((a) => alerts.push(a));
  tv.committed$.subscribe((batch) => {
    const now = Date.now();
    for (const r of batch.records) if (r.type === 'trade') commits.push(r.timestamp, now);
  });
  let stopped: Promise<void> | undefined;
  let last: CollectorStatus | undefined;
  const status = (): CollectorStatus => {
    if (stopped && last) return last;
    const committed = Object.values(tv.pipelineStats()).reduce((n, s) => n + s.committed, 0);
    return (last = statusFromTree(tv.state(), tv.gapStats(), committed, tv.auditStats()));
  };
  try {
    await tv.start();
  } catch (error) {
    await tv.stop().catch(() => undefined);
    throw error;
  }
  return {
    status,
    alerts,
    commits,
    books: {
      book: (exchange, market, symbol, depth) => tv.book(exchange, market, symbol, depth),
      bookCounters: (exchange, market, symbol) => tv.bookCounters(exchange, market, symbol),
    },
    drain: () => tv.drain(),
    failStore: (untilMs) => storeFaults.failUntil(untilMs),
    stop() {
      if (!stopped) {
        try {
          status();
        } catch {
          /* never started far enough to have a tree */
        }
        stopped = tv.stop().catch(() => undefined);
      }
      return stopped;
    },
    totals() {
      const s = status();
      return { gaps: s.gaps, restarts: s.restarts, recoveries: s.recoveries };
    },
  };
}
