/**
 * CSV and JSON lines: one line per record, the export's columns in order. CSV has a header line,
 * quotes a field only when it holds a comma, quote or line break, and leaves an absent ticker field
 * empty; JSON lines leave it out (as `tickvisor query` does). Times are ms since epoch, numbers as
 * JavaScript prints them (the shortest text that reads back to the same float64).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { MarketRecord } from '../../records.js';
import { columnsFor, valueOf, type ExportColumn, type ExportType } from './columns.js';
import type { ExportSink } from './sink.js';

export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(record: MarketRecord, columns: readonly ExportColumn[]): string {
  return columns.map((c) => csvField(valueOf(record, c))).join(',');
}

export function jsonLine(record: MarketRecord, columns: readonly ExportColumn[]): string {
  const row: Record<string, string | number> = {};
  for (const c of columns) {
    const v = valueOf(record, c);
    if (v !== undefined) row[c.name] = v;
  }
  return JSON.stringify(row);
}

/** Opens `path` (created or truncated); resolves once it is open, so a path that cannot be written fails here. */
export async function textSink(path: string, type: ExportType, format: 'csv' | 'jsonl'): Promise<ExportSink> {
  const columns = columnsFor(type);
  const stream = createWriteStream(path);
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure ??= error;
  });
  // once() rejects with the stream's error: a path that cannot be opened fails here
  await once(stream, 'open');
  if (format === 'csv') await put(stream, columns.map((c) => c.name).join(',') + '\n', () => failure);
  const line = format === 'csv' ? csvLine : jsonLine;
  return {
    async write(rows) {
      let text = '';
      for (const r of rows) text += line(r, columns) + '\n';
      await put(stream, text, () => failure);
    },
    async finish() {
      const closed = once(stream, 'close');
      stream.end();
      try {
        await closed;
      } catch (error) {
        throw failure ?? error;
      }
      if (failure) throw failure;
    },
    async abort() {
      stream.destroy();
    },
  };
}

/** writes and waits for 'drain' when the disk is slower than the store (bounded memory) */
async function put(stream: WriteStream, text: string, failed: () => Error | undefined): Promise<void> {
  const current = failed();
  if (current) throw current;
  if (!stream.write(text)) await once(stream, 'drain');
  const after = failed();
  if (after) throw after;
}
