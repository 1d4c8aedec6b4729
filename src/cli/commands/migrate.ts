/** `tickvisor migrate`: convert a store written by tickvisor 0.1 (store format 1) to the current format. */
import { existsSync, statSync } from 'node:fs';
import { TickvisorError } from '../../errors.js';
import { migrateStore, STORE_FORMAT } from '../../store/index.js';
import { parseArgs, requiredOption, usage } from '../args.js';

export const help = `tickvisor migrate --db PATH

Converts a store written by tickvisor 0.1 (store format 1, one entry per record) to store format
${STORE_FORMAT} (blocks of columns), in place: every trade, ticker and cursor is kept, resume points
included; the file is compacted at the end. An interrupted migration leaves the store in format 1:
run it again and it starts over. A store already in format ${STORE_FORMAT} is left as it is.
Run it while nothing else uses the store (stop \`tickvisor run\` first).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('migrate', () => parseArgs({ args: argv, strict: true, options: { db: { type: 'string' } } }));
  const path = requiredOption('migrate', 'db', values.db);
  // migrate converts: it never creates a store where there was none
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() !== true || !existsSync(`${path}/data.mdb`)) {
    throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `no store at ${path}`);
  }
  const result = await migrateStore(path);
  process.stdout.write(
    result.status === 'current'
      ? `the store at ${path} is already in store format ${STORE_FORMAT}; nothing to do\n`
      : `migrated ${result.trades} trades and ${result.tickers} tickers of ${result.symbols} symbols in ${path} (format 1 → ${STORE_FORMAT})\n`,
  );
  return 0;
}
