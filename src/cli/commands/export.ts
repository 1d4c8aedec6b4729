/** `tickvisor export`: stored history into one Parquet, CSV or JSON lines file. */
import { existsSync } from 'node:fs';
import { TickvisorError } from '../../errors.js';
import { exportHistory, EXPORT_FORMATS, type ExportFormat, type ExportResult, type ExportSelection } from '../../analysis/export/index.js';
import { EXCHANGE_IDS, MARKETS, type ExchangeId, type Market } from '../../records.js';
import { openHistoryStore } from '../../store/index.js';
import { parseArgs, requiredOption, timeOption, usage } from '../args.js';

export const help = `tickvisor export --db PATH --format parquet|csv|jsonl --out FILE [--exchange ID] [--market M] [--symbol S …] [--from T] [--to T] [--type trade|ticker]

Writes stored history into one file, symbol after symbol (sorted by exchange, market, symbol),
each ascending by time. Without --symbol: every symbol the store holds trades of (narrowed by
--exchange and --market). The file appears only once complete (written beside FILE, then renamed).
  --format       parquet: strings UTF8 (dictionary-encoded), prices and amounts DOUBLE, times
                 INT64 TIMESTAMP(MILLIS, UTC) delta-encoded, snappy, row groups of 65,536 rows;
                 csv: a header line, times in ms since epoch; jsonl: one JSON object a line
  --type         trade (default): exchange, market, symbol, id, timestamp, localTimestamp, price,
                 amount, side; ticker: exchange, market, symbol, timestamp, localTimestamp, last,
                 bid, ask, bidSize, askSize, high24h, low24h, volume24h, quoteVolume24h (empty
                 where the venue sends none)
  --symbol       repeatable; with --exchange and --market, read as given (tickers of a symbol
                 without trades too)
  --from, --to   ms since epoch or an ISO date (inclusive)
Says on stderr what it wrote: rows, file, bytes; or that nothing matched (then no file is written).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('export', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        db: { type: 'string' },
        exchange: { type: 'string' },
        market: { type: 'string' },
        symbol: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        type: { type: 'string', default: 'trade' },
        format: { type: 'string' },
        out: { type: 'string' },
      },
    }),
  );
  for (const name of ['db', 'format', 'out'] as const) requiredOption('export', name, values[name]);
  const format = values.format!;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new TickvisorError('TV_ERR_USAGE', `--format must be ${EXPORT_FORMATS.join(', ')}, got ${format}`);
  if (values.type !== 'trade' && values.type !== 'ticker') throw new TickvisorError('TV_ERR_USAGE', `--type must be trade or ticker, got ${values.type}`);
  if (values.exchange !== undefined && !(EXCHANGE_IDS as readonly string[]).includes(values.exchange)) {
    throw new TickvisorError('TV_ERR_UNKNOWN_VENUE', `unknown exchange: ${values.exchange} (one of ${EXCHANGE_IDS.join(', ')})`);
  }
  if (values.market !== undefined && !(MARKETS as readonly string[]).includes(values.market)) {
    throw new TickvisorError('TV_ERR_UNKNOWN_VENUE', `unknown market: ${values.market} (one of ${MARKETS.join(', ')})`);
  }
  const from = timeOption('from', values.from);
  const to = timeOption('to', values.to);
  if (from !== undefined && to !== undefined && from > to) throw new TickvisorError('TV_ERR_USAGE', `--from is after --to`);
  if (!existsSync(values.db!)) throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `no store at ${values.db}`);
  const selection: ExportSelection = {
    type: values.type,
    ...(values.exchange !== undefined ? { exchange: values.exchange as ExchangeId } : {}),
    ...(values.market !== undefined ? { market: values.market as Market } : {}),
    ...(values.symbol !== undefined ? { symbols: values.symbol } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
  const store = openHistoryStore({ path: values.db!, readOnly: true });
  // Ctrl-C stops the read and removes the unfinished file instead of leaving it beside --out
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let result: ExportResult;
    try {
      result = await exportHistory(store, selection, { format: format as ExportFormat, out: values.out!, signal: interrupt.signal });
    } catch (error) {
      if (!interrupt.signal.aborted) throw error;
      process.stderr.write(`tickvisor export: interrupted; nothing written to ${values.out}\n`);
      return 130;
    }
    if (result.rows === 0) {
      const what = result.streams.length === 0 ? 'no stored symbol matched' : `no ${values.type}s in the range asked for ${result.streams.length} symbol${result.streams.length === 1 ? '' : 's'}`;
      process.stderr.write(`tickvisor export: ${what}; nothing written (tickvisor query --db ${values.db} --list shows what is stored)\n`);
      return 0;
    }
    process.stderr.write(`tickvisor export: ${result.rows} ${values.type}${result.rows === 1 ? '' : 's'} of ${result.streams.length} symbol${result.streams.length === 1 ? '' : 's'} written to ${result.file} (${result.bytes} bytes)\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
}
