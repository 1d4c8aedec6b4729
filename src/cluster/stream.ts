/** The JetStream stream every node publishes into and the archiver reads (docs/cluster.md#data). */
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { TickvisorError } from '../errors.js';
import { isTransientPlacementRefusal } from './setup-retry.js';
import { STREAM_NAME, SUBJECT_ROOT } from './subjects.js';

export interface StreamOptions {
  /** 3 on a cluster, 1 on a single server */
  replicas: number;
  /**
   * how long the server remembers message ids: a retry or a redundant node's copy arriving
   * later than this is stored again (the archive's id guard still keeps one). At least 2 min.
   */
  duplicateWindowMs?: number;
  /** messages older than this are dropped by the server (the archiver must keep up within it) */
  maxAgeMs?: number;
  name?: string;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60_000;
export const DEFAULT_STREAM_MAX_AGE_MS = 24 * 3_600_000;

/**
 * Creates the stream, or checks an existing one covers our subjects with enough replicas. Throws a
 * TickvisorError for settings the user must fix; any other error is JetStream not answering (a
 * leader election), which setup-retry.ts waits out.
 */
export async function ensureStream(nc: NatsConnection, options: StreamOptions): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  const name = options.name ?? STREAM_NAME;
  const duplicateWindowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  if (duplicateWindowMs < DEFAULT_DUPLICATE_WINDOW_MS) throw new TickvisorError('TV_ERR_INVALID_ARGUMENT', `the stream's duplicate window must be at least 2 min (got ${duplicateWindowMs} ms)`);
  const config: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: [`${SUBJECT_ROOT}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: options.replicas,
    duplicate_window: nanos(duplicateWindowMs),
    max_age: nanos(options.maxAgeMs ?? DEFAULT_STREAM_MAX_AGE_MS),
  };
  const existing = await jsm.streams.info(name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw error; // not "there is none": no answer, which is no reason to create it
  });
  if (!existing) {
    try {
      await jsm.streams.add(config);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || isTransientPlacementRefusal(error)) throw error; // setup-retry.ts waits
      // refused: another node created it at the same moment is fine if it is ours
      if (!(await jsm.streams.info(name).catch(() => undefined))) {
        throw new TickvisorError('TV_ERR_NATS_SETUP', `stream ${name} could not be created: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    return jsm;
  }
  if (!existing.config.subjects?.includes(`${SUBJECT_ROOT}.>`)) {
    throw new TickvisorError('TV_ERR_NATS_SETUP', `stream ${name} exists but does not take ${SUBJECT_ROOT}.> (its subjects: ${existing.config.subjects?.join(', ') ?? 'none'})`);
  }
  if (existing.config.duplicate_window < nanos(DEFAULT_DUPLICATE_WINDOW_MS)) {
    throw new TickvisorError('TV_ERR_NATS_SETUP', `stream ${name} remembers message ids for ${existing.config.duplicate_window / 1e9} s; at least 120 s is needed`);
  }
  return jsm;
}
