/**
 * How long a partial batch waits before its commit when `store.batchMaxDelayMs` is not set.
 *
 * Alone, 2 ms: a trade is durable a few ms after it arrived, and p99 arrival → commit is one of the
 * collector's figures. A cluster node's trades wait for their window and its grace before they
 * leave for the archive (50 ms and 20–30 ms on loopback, docs/cluster.md), so a 10 ms delay adds
 * little to the way to the archive, and fewer, larger commits cost far less: a node at 10k and
 * 50k trades/s used 39% and 50% of a core with it against 62–65% and 68–70% with 2 ms (bench,
 * cluster section), each durable commit's syncs being a cost of their own whatever its size.
 */
export const STANDALONE_BATCH_DELAY_MS = 2;
export const CLUSTER_BATCH_DELAY_MS = 10;

export function batchMaxDelayMs(store: { batchMaxDelayMs?: number | undefined }, clustered: boolean): number {
  return store.batchMaxDelayMs ?? (clustered ? CLUSTER_BATCH_DELAY_MS : STANDALONE_BATCH_DELAY_MS);
}
