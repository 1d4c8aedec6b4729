/**
 * An append-only writer of text lines with bounded memory. Lines are batched (one `write` per
 * event-loop turn, or sooner when a batch is large) and the bytes waiting — ours plus those the
 * stream has not flushed yet — never exceed `maxBufferedBytes`: when the disk is slower than the
 * events, lines are dropped and counted, and the next line that fits is preceded by a marker line
 * saying how many were lost. A write error stops writing (everything after counts as dropped);
 * nothing here throws into the caller.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export interface LineWriterOptions {
  maxBufferedBytes?: number;
  /** write the batch at once when it reaches this size, without waiting for the next turn */
  batchBytes?: number;
  /** the marker line for `count` dropped lines */
  droppedMarker: (count: number) => string;
  onError?: (error: unknown) => void;
}

export interface LineWriterStats {
  written: number;
  dropped: number;
  failed: boolean;
}

export interface LineWriter {
  /** `line` without its newline; false when it was dropped */
  write(line: string): boolean;
  stats(): LineWriterStats;
  /** writes what is batched (and a final marker if lines were lost), ends the stream */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const DEFAULT_BATCH_BYTES = 64 * 1024;

export function createLineWriter(stream: Writable, options: LineWriterOptions): LineWriter {
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
  let batch: string[] = [];
  let batchSize = 0;
  let scheduled = false;
  let written = 0;
  let dropped = 0;
  /** dropped since the last marker */
  let unreported = 0;
  let failed = false;
  let closing: Promise<void> | undefined;

  stream.on('error', (error) => {
    failed = true;
    batch = [];
    batchSize = 0;
    try {
      options.onError?.(error);
    } catch {
      // reporting must not throw either
    }
  });

  function flush(): void {
    scheduled = false;
    if (batch.length === 0 || failed) return;
    const chunk = batch.join('');
    batch = [];
    batchSize = 0;
    try {
      stream.write(chunk);
    } catch (error) {
      failed = true;
      options.onError?.(error);
    }
  }

  function enqueue(text: string): void {
    batch.push(text);
    batchSize += Buffer.byteLength(text);
    if (batchSize >= batchBytes) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }

  return {
    write(line) {
      const text = `${line}\n`;
      const size = Buffer.byteLength(text);
      const marker = unreported > 0 ? `${options.droppedMarker(unreported)}\n` : '';
      const pending = stream.writableLength + batchSize;
      if (failed || closing || pending + size + marker.length > maxBuffered) {
        dropped += 1;
        unreported += 1;
        return false;
      }
      if (marker) {
        enqueue(marker);
        unreported = 0;
      }
      enqueue(text);
      written += 1;
      return true;
    },
    stats: () => ({ written, dropped, failed }),
    close() {
      closing ??= new Promise<void>((resolve) => {
        // the final marker is written whatever the buffer: the count must reach the file
        if (unreported > 0 && !failed) batch.push(`${options.droppedMarker(unreported)}\n`);
        unreported = 0;
        flush();
        if (failed || stream.destroyed) {
          stream.destroy();
          resolve();
          return;
        }
        // finished() waits for 'close' too when the stream emits one (an fs stream: fd closed)
        finished(stream).then(resolve, () => resolve());
        stream.end();
      });
      return closing;
    },
  };
}
