/** `tickvisor query`: read history back as JSON lines or CSV. */
import { existsSync } from 'node:fs';
import { TickvisorError } from '../../errors.js';
import { isSupportedVenue } from '../../exchanges/index.js';
import type { ExchangeId, Market, MarketRecord } from '../../records.js';
import { openHistoryStore } from '../../store/index.js';
import { parseArgs, timeOption, usage } from '../args.js';
import { csvHeader, csvRow } from '../csv.js';

export const help = `tickvisor query --db PATH --exchange ID --market M --symbol S [--from T] [--to T] [--type trade|ticker] [--format jsonl|csv]

Reads one symbol's stored history, ascending by time.
  --from, --to   ms since epoch or an ISO date (inclusive)
  --type         trade or ticker (default: both, merged by time)
  --format       jsonl (default) or csv`;

const time = timeOption;

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('query', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        db: { type: 'string' },
        exchange: { type: 'string' },
        market: { type: 'string' },
        symbol: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        type: { type: 'string' },
        format: { type: 'string', default: 'jsonl' },
      },
    }),
  );
  for (const required of ['db', 'exchange', 'market', 'symbol'] as const) {
    if (!values[required]) throw new TickvisorError('TV_ERR_USAGE', `--${required} is required (see tickvisor query --help)`);
  }
  const exchange = values.exchange!;
  const market = values.market!;
  if (!isSupportedVenue(exchange, market)) throw new TickvisorError('TV_ERR_UNKNOWN_VENUE', `unknown exchange/market: ${exchange} ${market}`);
  if (values.type !== undefined && values.type !== 'trade' && values.type !== 'ticker') {
    throw new TickvisorError('TV_ERR_USAGE', `--type must be trade or ticker, got ${values.type}`);
  }
  if (values.format !== 'jsonl' && values.format !== 'csv') throw new TickvisorError('TV_ERR_USAGE', `--format must be jsonl or csv, got ${values.format}`);
  if (!existsSync(values.db!)) throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `no store at ${values.db}`);
  const from = time('from', values.from);
  const to = time('to', values.to);
  const store = openHistoryStore({ path: values.db!, readOnly: true });
  const out = process.stdout;
  // a reader that went away (`| head -1`) ends the output, not the process with an EPIPE trace
  let readerGone = false;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') readerGone = true;
    else throw error;
  };
  out.on('error', onError);
  const write = (text: string) =>
    out.write(text) ? undefined : new Promise<void>((r) => {
      out.once('drain', () => r());
      out.once('error', () => r());
    });
  try {
    let header = false;
    for await (const record of store.readRange({
      exchange: exchange as ExchangeId,
      market: market as Market,
      symbol: values.symbol!,
      ...(values.type ? { type: values.type as 'trade' | 'ticker' } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
    })) {
      if (readerGone) break;
      if (values.format === 'csv') {
        if (!header) {
          header = true;
          await write(csvHeader(values.type as MarketRecord['type'] | undefined) + '\n');
        }
        await write(csvRow(record, values.type as MarketRecord['type'] | undefined) + '\n');
      } else {
        await write(JSON.stringify(record) + '\n');
      }
    }
  } finally {
    await store.close();
  }
  return 0;
}
