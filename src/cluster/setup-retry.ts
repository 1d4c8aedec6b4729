/**
 * Setting up JetStream (the stream, the lease and cursor buckets) when a node or the archiver
 * starts. Right after a NATS server dies the cluster elects new leaders, and for a few seconds the
 * JetStream API does not answer (a timeout, "no responders"): a process starting then waits for
 * the election rather than failing and being started again from scratch
 * (docs/cluster.md#startup). A TickvisorError is the user's to fix (a stream with other subjects,
 * a lease TTL that differs) and ends the wait at once; any other error is taken as JetStream not
 * answering yet. Pure apart from the injected clock.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { TickvisorError } from '../errors.js';
import type { Clock } from '../time/clock.js';

/** JetStream's "no suitable peers for placement" (JSClusterNoPeersErr) */
const NO_PEERS_FOR_PLACEMENT = 10005;

/**
 * A refusal that passes once the cluster is whole: the meta leader places a replicated stream
 * only on peers it has heard from, so right after a cluster forms, or while a server is down, it
 * has too few. Asking for more replicas than there are servers gives the same answer for good;
 * the deadline's error then names it.
 */
export function isTransientPlacementRefusal(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === NO_PEERS_FOR_PLACEMENT;
}

export interface SetupRetryOptions {
  clock: Clock;
  /** what is being set up, for the error at the deadline ("stream TICKVISOR") */
  what: string;
  /** how long the step may keep failing before the wait ends in a TickvisorError */
  deadlineMs?: number;
  /** the wait between attempts */
  delayMs?: number;
  /** told of each failed attempt that will be tried again */
  onRetry?: (error: unknown, attempt: number) => void;
}

export const SETUP_DEADLINE_MS = 60_000;
export const SETUP_RETRY_DELAY_MS = 500;

export async function retryJetStreamSetup<T>(step: () => Promise<T>, options: SetupRetryOptions): Promise<T> {
  const deadlineMs = options.deadlineMs ?? SETUP_DEADLINE_MS;
  const delayMs = options.delayMs ?? SETUP_RETRY_DELAY_MS;
  const until = options.clock.now() + deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (error instanceof TickvisorError) throw error;
      if (options.clock.now() + delayMs >= until) {
        const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
        throw new TickvisorError('TV_ERR_NATS_JETSTREAM', `JetStream did not answer within ${Math.round(deadlineMs / 1000)} s while setting up ${options.what} (${why}): is JetStream enabled on the servers, and is a majority of them up?`, { cause: error });
      }
      options.onRetry?.(error, attempt);
      await new Promise<void>((resolve) => options.clock.setTimeout(resolve, delayMs));
    }
  }
}
