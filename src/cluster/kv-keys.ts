/**
 * The keys of a KV bucket matching a filter, as one snapshot. The client's `kv.keys()` walks the
 * bucket with a consumer and, while keys are written during the walk (leases renewed, cursors
 * moved every second), hands a key out again and again or never ends: a grant waiting on it could
 * wait for ever. The bucket's stream info, filtered by subject, lists each key once, at once.
 * Keys deleted but not yet expired are listed too: the caller reads each (a deletion reads as none).
 */
import type { JetStreamManager } from '@nats-io/jetstream';

/** `filter` as for kv.keys (`node.>`, `binance.spot.>`, `>`); none when the bucket does not exist */
export async function bucketKeys(jsm: JetStreamManager, bucket: string, filter: string): Promise<string[]> {
  const prefix = `$KV.${bucket}.`;
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}${filter}` }).catch((error: unknown) => {
    if (error instanceof Error && /stream not found/i.test(error.message)) return undefined;
    throw error;
  });
  return Object.keys(info?.state.subjects ?? {})
    .map((subject) => subject.slice(prefix.length))
    .sort();
}
