/** `tickvisor reparse`: rebuild normalized history from the kept raw frames with today's parsers. */
import { existsSync, statSync } from 'node:fs';
import { TickvisorError } from '../../errors.js';
import { isSupportedVenue } from '../../exchanges/index.js';
import { reparseRawFrames, type ReparseCounts } from '../../runtime/reparse.js';
import { openHistoryStore } from '../../store/index.js';
import { parseArgs, requiredOption, timeOption, usage } from '../args.js';

export const help = `tickvisor reparse --db PATH [--from T] [--to T] [--exchange ID [--market M]] [--format text|json]

Reads the raw frames a run kept (store.raw: true) and parses them again with this version's
parsers, with the instrument listing in force when each frame arrived; the records go into the
store under the same exactly-once rules as live data: a trade already stored is not stored twice,
nor a ticker from a frame already read. Prints frames read, records written, duplicates skipped,
records refused by validation and frames still unreadable (by reason).
  --from, --to   receive time of the frames: ms since epoch or an ISO date (inclusive)
  --format       text (default) or json (one object)
Run it while no collector writes the same store (stop \`tickvisor run\` first).`;

export function summary(c: ReparseCounts): string {
  const bad = Object.entries(c.unreadable);
  const unreadable = bad.reduce((n, [, k]) => n + k, 0);
  return [
    `frames read: ${c.frames}`,
    `records parsed: ${c.records}`,
    `records written: ${c.written}`,
    `duplicates skipped: ${c.duplicates}`,
    `rejected by validation: ${c.rejected}`,
    `still unreadable: ${unreadable}${bad.length > 0 ? ` (${bad.map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
    ...(c.unsupported > 0 ? [`frames of venues this version does not parse: ${c.unsupported}`] : []),
    ...(c.books > 0 ? [`order-book frames passed over (books are kept by the book store): ${c.books}`] : []),
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('reparse', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        db: { type: 'string' },
        exchange: { type: 'string' },
        market: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string', default: 'text' },
      },
    }),
  );
  const db = requiredOption('reparse', 'db', values.db);
  if (values.format !== 'text' && values.format !== 'json') throw new TickvisorError('TV_ERR_USAGE', `--format must be text or json, got ${values.format}`);
  if (values.market !== undefined && values.exchange === undefined) throw new TickvisorError('TV_ERR_USAGE', '--market needs --exchange');
  if (values.exchange !== undefined && values.market !== undefined && !isSupportedVenue(values.exchange, values.market)) {
    throw new TickvisorError('TV_ERR_UNKNOWN_VENUE', `unknown exchange/market: ${values.exchange} ${values.market}`);
  }
  const from = timeOption('from', values.from);
  const to = timeOption('to', values.to);
  // reparse writes: it never creates a store where there was none
  if (!existsSync(db) || statSync(db, { throwIfNoEntry: false })?.isDirectory() !== true || !existsSync(`${db}/data.mdb`)) {
    throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `no store at ${db}`);
  }
  const store = openHistoryStore({ path: db });
  let counts: ReparseCounts;
  try {
    counts = await reparseRawFrames(store, {
      ...(values.exchange !== undefined ? { exchange: values.exchange } : {}),
      ...(values.market !== undefined ? { market: values.market } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
    });
  } finally {
    await store.close();
  }
  process.stdout.write((values.format === 'json' ? JSON.stringify(counts) : summary(counts)) + '\n');
  return 0;
}
