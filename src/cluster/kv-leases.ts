/**
 * The lease store on a NATS JetStream KV bucket (docs/cluster.md#leases): one key per work unit,
 * the bucket's max_age is the lease TTL (nats-server 2.9 has no per-key TTL), a renew is an update
 * with the expected revision. Thin: every decision is in lease-logic.ts.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { TickvisorError } from '../errors.js';
import type { ExchangeId, Market } from '../records.js';
import { LeaseStoreError, type LeaseStore } from './lease-runner.js';
import { isTransientPlacementRefusal } from './setup-retry.js';

export const LEASE_BUCKET = 'tickvisor-leases';

/** JetStream's "wrong last sequence": the CAS (or a create over a live key) was refused */
const WRONG_LAST_SEQUENCE = 10071;

/** the key of one work unit's lease: `unit.<exchange>.<market>` */
export const unitLeaseKey = (exchange: ExchangeId, market: Market): string => `unit.${exchange}.${market}`;

export interface LeaseBucketOptions {
  /** the lease TTL: the bucket's max_age */
  ttlMs: number;
  /** 3 on a cluster of three or more servers, 1 on a single server */
  replicas: number;
  bucket?: string;
  /** how long a KV request waits for its answer (keep it under the renew interval) */
  requestTimeoutMs?: number;
}

/**
 * Creates the bucket, or opens it when it exists with the same TTL. A bucket with another TTL is
 * refused: two nodes disagreeing on the TTL would break the fencing arithmetic.
 */
export async function openLeaseBucket(nc: NatsConnection, options: LeaseBucketOptions): Promise<KV> {
  const name = options.bucket ?? LEASE_BUCKET;
  const kvm = new Kvm(nc);
  let kv: KV;
  try {
    kv = await kvm.create(name, { ttl: options.ttlMs, history: 1, replicas: options.replicas, timeout: options.requestTimeoutMs ?? 2_000 });
  } catch (error) {
    // no answer, or too few peers yet to place it on: setup-retry.ts waits
    if (!(error instanceof JetStreamApiError) || isTransientPlacementRefusal(error)) throw error;
    // it exists with other settings (replicas, ttl): open it and say what differs
    kv = await kvm.open(name, { timeout: options.requestTimeoutMs ?? 2_000 }).catch(() => {
      throw new TickvisorError('TV_ERR_NATS_SETUP', `KV bucket ${name} could not be created: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
  }
  const status = await kv.status();
  if (status.ttl !== options.ttlMs) {
    throw new TickvisorError('TV_ERR_NATS_SETUP', `KV bucket ${name} has a TTL of ${status.ttl} ms but the lease TTL is ${options.ttlMs} ms: every node must use the same lease TTL (delete the bucket to change it)`);
  }
  return kv;
}

function classify(error: unknown): LeaseStoreError {
  if (error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) return new LeaseStoreError('conflict', error.message);
  return new LeaseStoreError('unavailable', error instanceof Error ? error.message : String(error));
}

/** the LeaseStore a LeaseRunner drives, on one KV bucket */
export function kvLeaseStore(kv: KV): LeaseStore {
  return {
    create: (key, value) => kv.create(key, value).catch((e: unknown) => Promise.reject(classify(e))),
    update: (key, value, revision) => kv.update(key, value, revision).catch((e: unknown) => Promise.reject(classify(e))),
    delete: (key, revision) => kv.delete(key, { previousSeq: revision }).catch((e: unknown) => Promise.reject(classify(e))),
    get: async (key) => {
      const entry = await kv.get(key).catch((e: unknown) => Promise.reject(classify(e)));
      if (!entry || entry.operation !== 'PUT') return null;
      return { value: entry.value, revision: entry.revision };
    },
  };
}
