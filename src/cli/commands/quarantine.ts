/**
 * `tickvisor quarantine`: what the parsers could not read, per exchange, market and reason, with
 * the first frames of each kept as evidence. Opens the store read-only, so it works on a store a
 * running collector is writing.
 */
import { existsSync } from 'node:fs';
import type { Database, Key } from 'lmdb';
import { TickvisorError } from '../../errors.js';
import { FRAME_FAILURE_REASONS } from '../../exchanges/types.js';
import { openEnvironment } from '../../store/open-env.js';
import { QUARANTINE_DB, readQuarantine, type QuarantineCount, type QuarantineExample } from '../../store/quarantine.js';
import { parseArgs, requiredOption, usage } from '../args.js';
import { printable, stdoutWriter } from '../output.js';

export const help = `tickvisor quarantine --db PATH [--exchange ID] [--market M] [--reason R] [--format text|jsonl]

Frames the collector could not turn into records, counted per exchange, market and reason since
the store was created, and the first ones of each kept with their raw text (cut at 64 KiB),
receive time, connection id and the parser's words. Works while \`tickvisor run\` writes the store.
  --reason   ${FRAME_FAILURE_REASONS.join(' | ')}
  --format   text (default): counts, then the examples; jsonl: one JSON object a line,
             {"type":"count",…} then {"type":"example",…}`;

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

function countLine(c: QuarantineCount): string {
  return `${c.exchange} ${c.market} ${c.reason}: ${c.count} frame${c.count === 1 ? '' : 's'} (first ${iso(c.firstAt)}, last ${iso(c.lastAt)})`;
}

function exampleLines(e: QuarantineExample): string {
  const size = e.truncated ? ` (${e.bytes} bytes, cut)` : '';
  return `${iso(e.receivedAt)} ${e.exchange} ${e.market} ${e.reason} on ${e.connection}: ${printable(e.message)}${size}\n  ${printable(e.raw)}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = usage('quarantine', () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        db: { type: 'string' },
        exchange: { type: 'string' },
        market: { type: 'string' },
        reason: { type: 'string' },
        format: { type: 'string', default: 'text' },
      },
    }),
  );
  const db = requiredOption('quarantine', 'db', values.db);
  if (values.format !== 'text' && values.format !== 'jsonl') throw new TickvisorError('TV_ERR_USAGE', `--format must be text or jsonl, got ${values.format}`);
  if (values.reason !== undefined && !(FRAME_FAILURE_REASONS as readonly string[]).includes(values.reason)) {
    throw new TickvisorError('TV_ERR_USAGE', `--reason must be one of ${FRAME_FAILURE_REASONS.join(', ')}, got ${values.reason}`);
  }
  if (!existsSync(db)) throw new TickvisorError('TV_ERR_FILE_NOT_FOUND', `no store at ${db}`);
  const env = openEnvironment({ path: db, noSync: true, readOnly: true });
  const out = stdoutWriter();
  try {
    // read-only: a quarantine never written is absent, which means nothing was quarantined
    const db = env.openDB({ name: QUARANTINE_DB, encoding: 'msgpack' }) as Database<never, Key> | undefined;
    const { counts, examples } = db === undefined ? { counts: [], examples: [] } : readQuarantine(db, {
      ...(values.exchange !== undefined ? { exchange: values.exchange } : {}),
      ...(values.market !== undefined ? { market: values.market } : {}),
      ...(values.reason !== undefined ? { reason: values.reason } : {}),
    });
    if (values.format === 'jsonl') {
      for (const c of counts) if (!out.gone) await out.write(JSON.stringify({ type: 'count', ...c }) + '\n');
      for (const e of examples) if (!out.gone) await out.write(JSON.stringify({ type: 'example', ...e }) + '\n');
      return 0;
    }
    if (counts.length === 0) {
      await out.write('nothing quarantined\n');
      return 0;
    }
    for (const c of counts) if (!out.gone) await out.write(countLine(c) + '\n');
    if (examples.length > 0 && !out.gone) await out.write(`\nexamples (${examples.length} kept):\n`);
    for (const e of examples) if (!out.gone) await out.write(exampleLines(e));
    return 0;
  } finally {
    out.close();
    await env.close();
  }
}
