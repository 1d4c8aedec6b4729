/**
 * The collector under measurement: createTickvisor pointed at a simulator process, in a temp store.
 * Imported as the package ('tickvisor'): run by plain node (the compiled bench child) that is the
 * package's own dist/ — what users run; through tsx, tsconfig's paths map it to src/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTickvisor, walk, type Tickvisor, type TickvisorConfigInput } from 'tickvisor';

/** a `cluster:` block as a user writes it (the configuration fills in the defaults) */
export type ClusterConfigInput = NonNullable<TickvisorConfigInput['cluster']>;

export interface Side {
  tv: Tickvisor;
  committed(): number;
  subscribed(): number;
  close(): Promise<void>;
}

/** `cluster`: the node's `cluster:` configuration (the bench's cluster section), or none to run alone */
export async function startSide(endpoints: { wsUrl: string; restUrl: string }, symbols: string[], groupSize: number, cluster?: ClusterConfigInput): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), 'tickvisor-bench-'));
  const tv = createTickvisor(
    {
      exchanges: [{ exchange: 'binance', market: 'spot', symbols, channels: ['trade'], groupSize, refreshIntervalMs: 0, ...endpoints }],
      // the configuration defaults: what users run (BENCH_TICKVISOR_STORE='{"batchMaxDelayMs":1}' overrides, for experiments)
      store: { path: dir, ...(JSON.parse(process.env.BENCH_TICKVISOR_STORE ?? '{}') as object) },
      log: { level: 'silent' },
      ...(cluster ? { cluster } : {}),
    },
  );
  await tv.start();
  return {
    tv,
    committed: () => Object.values(tv.pipelineStats()).reduce((n, s) => n + s.committed, 0),
    subscribed: () => [...walk(tv.state())].filter((n) => n.kind === 'coin' && n.state === 'Subscribed').length,
    close: async () => {
      await tv.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
