/**
 * `--inspect-file FILE`: records every XState inspection event as one JSON line, to read later
 * (jq, a notebook, a replay into a viewer). The observer runs inside the actor system, so it
 * does little and never throws: the line is built from a size-capped copy (safe-json.ts) and
 * handed to a bounded, batched writer (line-writer.ts) that drops — with a counted marker line —
 * rather than grow when the disk falls behind.
 *
 * Line shapes: `{"t":ms,"type":"@xstate.snapshot","actor":{id,systemId,sessionId,parent,src},
 * "rootId":…,"event":…,"snapshot":{status,value,context,children,…}}`; the marker is
 * `{"t":ms,"type":"tickvisor.dropped","count":N}`.
 */
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { InspectionEvent } from 'xstate';
import { TickvisorError } from '../errors.js';
import { inspectionRecord } from './inspection-line.js';
import { createLineWriter, type LineWriterStats } from './line-writer.js';
import { DEFAULT_SAFE_JSON_LIMITS, type SafeJsonLimits } from './safe-json.js';

export const DROPPED_MARKER_TYPE = 'tickvisor.dropped';

export interface InspectionRecorderOptions {
  maxBufferedBytes?: number;
  limits?: Partial<SafeJsonLimits>;
  now?: () => number;
  /** a write error (disk full, …): recording stops, the run goes on */
  onError?: (error: unknown) => void;
}

export interface InspectionRecorder {
  inspect: (event: InspectionEvent) => void;
  stats(): LineWriterStats;
  /** flushes and closes the file */
  close(): Promise<void>;
}

/**
 * `target`: a file path (created or truncated at once, so a bad path fails here and not later)
 * or any writable stream.
 */
export function createInspectionRecorder(target: string | Writable, options: InspectionRecorderOptions = {}): InspectionRecorder {
  const now = options.now ?? Date.now;
  const limits = { ...DEFAULT_SAFE_JSON_LIMITS, ...options.limits };
  const stream = typeof target === 'string' ? openFile(target) : target;
  const writer = createLineWriter(stream, {
    ...(options.maxBufferedBytes !== undefined ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
    droppedMarker: (count) => JSON.stringify({ t: now(), type: DROPPED_MARKER_TYPE, count }),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    inspect(event) {
      let line: string;
      try {
        line = JSON.stringify(inspectionRecord(event, now(), limits));
      } catch {
        line = JSON.stringify({ t: now(), type: String((event as { type?: unknown }).type), error: 'unserializable' });
      }
      writer.write(line);
    },
    stats: () => writer.stats(),
    close: () => writer.close(),
  };
}

function openFile(path: string): Writable {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    // TV_ERR_FILE_NOT_FOUND is the closest code in the table today (see the report: an
    // output-file code would fit better)
    throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `cannot open inspection file ${path}: ${reason}`, { cause: error });
  }
  return createWriteStream(path, { fd, autoClose: true });
}
