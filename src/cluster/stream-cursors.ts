/**
 * Cursors read from the stream itself, for the symbols of a unit the KV has no cursor for: a
 * holder that died within its first cursor flush (a second) published batches but never wrote a
 * cursor, and the node taking over would otherwise see no trade of the symbol in the stream and
 * leave the hole since then unfilled. The symbol's last stored batch gives its newest trade.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { ExchangeId, Market } from '../records.js';
import { decodeTradeBatch } from './batch-codec.js';
import type { PublishedCursor } from './cursors.js';
import { SUBJECT_ROOT, tokenSymbol } from './subjects.js';

/** adds to `cursors` the newest stored trade of each of the unit's symbols it has no cursor for */
export async function addStreamCursors(jsm: JetStreamManager, stream: string, exchange: ExchangeId, market: Market, cursors: Map<string, PublishedCursor>): Promise<number> {
  const prefix = `${SUBJECT_ROOT}.trade.${exchange}.${market}.`;
  const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}>` }).catch((error: unknown) => {
    // no stream yet: nobody ever published, there is nothing to resume from
    if (error instanceof Error && /stream not found/i.test(error.message)) return undefined;
    throw error;
  });
  let added = 0;
  for (const subject of Object.keys(info?.state.subjects ?? {})) {
    const symbol = tokenSymbol(subject.slice(prefix.length));
    if (cursors.has(symbol)) continue;
    const message = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (!message) continue;
    const batch = decodeTradeBatch(message.data);
    if ('error' in batch) continue;
    const last = batch.trades[batch.trades.length - 1];
    if (last) {
      cursors.set(symbol, { tradeId: last.id, timestamp: last.timestamp });
      added++;
    }
  }
  return added;
}
