/**
 * Stored history into one file for other tools (DuckDB, pandas, Spark, a spreadsheet): the
 * symbols selected, one after another (by exchange, market, symbol), each ascending by time as
 * the store reads it. Streams in row groups, so memory holds one group whatever the range. The
 * file is written beside the target under a temporary name and renamed at the end: a failure
 * leaves no half file, and an existing target is only replaced by a complete one.
 */
import { randomBytes } from 'node:crypto';
import { rm, rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TickvisorError } from '../../errors.js';
import type { ExchangeId, Market, MarketRecord } from '../../records.js';
import { eachRecord } from '../../store/each-record.js';
import type { HistoryStore, RecordSource } from '../../store/types.js';
import type { ExportType } from './columns.js';
import { parquetSink } from './parquet-sink.js';
import type { ExportSink } from './sink.js';
import { textSink } from './text-sink.js';

export type ExportFormat = 'parquet' | 'csv' | 'jsonl';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['parquet', 'csv', 'jsonl'];

/** rows per Parquet row group (and per write for CSV / JSON lines) */
export const DEFAULT_ROW_GROUP_SIZE = 65_536;

export interface ExportSelection {
  exchange?: ExchangeId;
  market?: Market;
  /** absent or empty: every symbol stored (that matches exchange and market) */
  symbols?: readonly string[];
  type: ExportType;
  /** inclusive, ms */
  from?: number;
  /** inclusive, ms */
  to?: number;
}

export interface ExportResult {
  /** rows written; 0 means nothing matched and no file was written */
  rows: number;
  /** the symbols read, in file order */
  streams: Array<{ exchange: ExchangeId; market: Market; symbol: string }>;
  file: string;
  /** size of the file written (0 when none) */
  bytes: number;
}

export interface ExportOptions {
  format: ExportFormat;
  out: string;
  rowGroupSize?: number;
  /** stops the export (Ctrl-C): it rejects with the signal's reason and leaves no file behind */
  signal?: AbortSignal;
}

type Stream = { exchange: ExchangeId; market: Market; symbol: string };

/**
 * Which symbols to read. With exchange, market and symbols all given, those are read as asked
 * (a symbol with tickers but no trade is found too); otherwise the store's list of symbols with
 * trades (its cursors) is filtered by what was given.
 */
export function selectStreams(stored: Pick<HistoryStore, 'listCursors'>, selection: ExportSelection): Stream[] {
  const symbols = selection.symbols && selection.symbols.length > 0 ? [...new Set(selection.symbols)] : undefined;
  let streams: Stream[];
  if (selection.exchange && selection.market && symbols) {
    streams = symbols.map((symbol) => ({ exchange: selection.exchange!, market: selection.market!, symbol }));
  } else {
    const wanted = symbols ? new Set(symbols) : undefined;
    streams = stored
      .listCursors()
      .filter((c) => (selection.exchange === undefined || c.exchange === selection.exchange) && (selection.market === undefined || c.market === selection.market))
      .filter((c) => wanted === undefined || wanted.has(c.symbol))
      .map((c) => ({ exchange: c.exchange, market: c.market, symbol: c.symbol }));
  }
  const key = (s: Stream) => `${s.exchange}\u0000${s.market}\u0000${s.symbol}`;
  return streams.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export async function exportHistory(
  store: RecordSource & Pick<HistoryStore, 'listCursors'>,
  selection: ExportSelection,
  options: ExportOptions,
): Promise<ExportResult> {
  const groupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new RangeError(`rowGroupSize must be a positive integer, got ${groupSize}`);
  const file = options.out;
  // a folder given as the file would only fail at the rename, after the whole read
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw new TickvisorError('TV_ERR_OUTPUT_FILE', `cannot write ${file}: it is a directory`);
  const streams = selectStreams(store, selection);
  if (streams.length === 0) return { rows: 0, streams, file, bytes: 0 };
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  let sink: ExportSink | undefined;
  let rows = 0;
  try {
    options.signal?.throwIfAborted();
    sink = await openSink(temp, file, selection.type, options.format);
    let group: MarketRecord[] = [];
    for (const s of streams) {
      const records = store.readRange({
        ...s,
        type: selection.type,
        ...(selection.from !== undefined ? { from: selection.from } : {}),
        ...(selection.to !== undefined ? { to: selection.to } : {}),
      });
      const open = sink;
      // awaits only when a row group is full: the records between come without a promise each
      await eachRecord(records, (record) => {
        options.signal?.throwIfAborted();
        group.push(record);
        if (group.length < groupSize) return;
        const full = group;
        group = [];
        rows += full.length;
        return open.write(full);
      });
    }
    if (group.length > 0) {
      await sink.write(group);
      rows += group.length;
    }
    if (rows === 0) {
      await sink.abort();
      await rm(temp, { force: true });
      return { rows: 0, streams, file, bytes: 0 };
    }
    await sink.finish();
    options.signal?.throwIfAborted();
    await rename(temp, file).catch((cause: NodeJS.ErrnoException) => {
      throw outputError(file, cause);
    });
    return { rows, streams, file, bytes: (await stat(file)).size };
  } catch (error) {
    await sink?.abort().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw isFileError(error) ? outputError(file, error) : error;
  }
}

async function openSink(temp: string, file: string, type: ExportType, format: ExportFormat): Promise<ExportSink> {
  try {
    return format === 'parquet' ? parquetSink(temp, type) : await textSink(temp, type, format);
  } catch (cause) {
    throw isFileError(cause) ? outputError(file, cause) : cause;
  }
}

function isFileError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && !(error instanceof TickvisorError);
}

const FILE_REASONS: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EDQUOT: 'disk quota exceeded',
};

function outputError(file: string, cause: NodeJS.ErrnoException): TickvisorError {
  if (cause instanceof TickvisorError) return cause;
  const reason = FILE_REASONS[cause.code ?? ''] ?? cause.code ?? 'write failed';
  return new TickvisorError('TV_ERR_OUTPUT_FILE', `cannot write ${file}: ${reason}`, { cause });
}
