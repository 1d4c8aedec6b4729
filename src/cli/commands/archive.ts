/** `tickvisor archive`: consume the cluster's stream into a local store, exactly once, until SIGINT/SIGTERM. */
import { mkdirSync } from 'node:fs';
import { Archiver, DEFAULT_ARCHIVER } from '../../cluster/archiver.js';
import { connectNats } from '../../cluster/nats-connect.js';
import { retryJetStreamSetup } from '../../cluster/setup-retry.js';
import { ensureStream } from '../../cluster/stream.js';
import { backgroundClock } from '../../time/clock.js';
import { STREAM_NAME } from '../../cluster/subjects.js';
import { TickvisorError } from '../../errors.js';
import { openHistoryStore } from '../../store/index.js';
import { intOption, parseArgs, requiredOption, usage } from '../args.js';

export const help = `tickvisor archive --nats URL --data DIR [--durable NAME] [--replicas N]

Reads the trades, tickers and order-book records tickvisor nodes publish to the NATS JetStream stream ${STREAM_NAME} and stores them
in the history store at DIR (created when missing), exactly once: a durable consumer (NAME,
default ${DEFAULT_ARCHIVER}) resumes where the last run stopped, messages are acked only after
their trades are committed, and trades the store already holds are not stored again (a redelivery
after a crash, or two nodes collecting the same symbol); of the book records two nodes publish
for one venue book, each venue update is stored once. Runs until Ctrl-C or SIGTERM, then prints
what it archived.

  --nats URL       nats://host:port, several separated by commas
  --data DIR       the history store (tickvisor query --db DIR reads it)
  --durable NAME   the consumer's name: one per archive
  --replicas N     replicas of the stream when this command creates it (default 3 on a
                   cluster, 1 on a single server); an existing stream is left as it is`;

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('archive', () =>
    parseArgs({ args: argv, strict: true, options: { nats: { type: 'string' }, data: { type: 'string' }, durable: { type: 'string' }, replicas: { type: 'string' } } }),
  );
  const urls = requiredOption('archive', 'nats', values.nats);
  const dir = requiredOption('archive', 'data', values.data);
  const replicas = intOption('archive', 'replicas', values.replicas);
  if (replicas !== undefined && (replicas < 1 || replicas > 5)) throw new TickvisorError('TV_ERR_USAGE', `--replicas must be 1 to 5, got ${replicas}`);
  const nc = await connectNats(urls, { name: 'tickvisor-archive' });
  try {
    // started during a NATS leader election, it waits for the election (setup-retry.ts)
    await retryJetStreamSetup(() => ensureStream(nc, { replicas: replicas ?? (nc.info?.cluster ? 3 : 1) }), {
      clock: backgroundClock,
      what: `stream ${STREAM_NAME}`,
      onRetry: (_error, attempt) => {
        if (attempt === 1) process.stderr.write(`tickvisor archive: JetStream does not answer yet; waiting\n`);
      },
    });
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new TickvisorError('TV_ERR_OUTPUT_FILE', `cannot create ${dir}: ${(error as Error).message}`, { cause: error });
    }
    const store = openHistoryStore({ path: dir });
    const archiver = new Archiver(nc, {
      store,
      durable: values.durable,
      onMalformed: (subject, reason) => process.stderr.write(`tickvisor archive: skipped an unreadable message on ${subject}: ${reason}\n`),
    });
    await archiver.start();
    process.stderr.write(`tickvisor archive: archiving ${STREAM_NAME} (consumer ${values.durable ?? DEFAULT_ARCHIVER}) into ${dir}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await archiver.stop();
    await store.close();
    const s = archiver.stats;
    process.stdout.write(`archived ${s.messages} messages: ${s.written} trades stored, ${s.duplicates} already stored, ${s.tickersWritten} tickers stored, ${s.tickerDuplicates} already stored, ${s.booksWritten} book records stored, ${s.bookDuplicates} already stored, ${s.bookSkipped} not continuing the archived book, ${s.bookGaps} gaps, ${s.malformed} unreadable\n`);
    return 0;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
