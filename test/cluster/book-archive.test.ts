/**
 * Books through a real 3-server R3 stream: two redundant nodes publish the same venue updates,
 * each from its own snapshot and in its own batches, one of them dying half-way (SIGKILL: no
 * resync); a retried message is dropped by the stream. The archive holds each venue update once,
 * without a gap, and `storedBookAt` rebuilds the venue's book; the whole stream read again into
 * the same store stores nothing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { Archiver } from '../../src/cluster/archiver.js';
import { bookRow, type LinkedBookRecord } from '../../src/cluster/book-codec.js';
import { jetStreamTarget, TradePublisher } from '../../src/cluster/publisher.js';
import { openHistoryStore } from '../../src/store/index.js';
import { storedBookAt, storedBookRange } from '../../src/store/books/history.js';
import { natsSkip, streamCluster } from '../helpers/nats-cluster.js';
import { bookThrough, messages, nodeRecords, SYMBOL, timeOf, venueEvents } from './book-venue.js';

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('book records through a 3-server R3 stream, archived once', { skip: natsSkip }, () => {
  const nats = streamCluster('tv-book-archive-');
  const conn = nats.conn;

  test('two redundant nodes, each its own snapshot, one killed half-way: each venue update once, the book rebuilt', async () => {
    const events = venueEvents(1001, 1400, 5);
    // node a synced at 1000, snapshot due at 1100, killed after 1250; node b synced at 1020, snapshot due at 1300
    const a = nodeRecords(events, { syncAt: 1000, until: 1250, snapshotsAt: [1100], latencyMs: 20 });
    const b = nodeRecords(events, { syncAt: 1020, until: 1400, snapshotsAt: [1300], latencyMs: 23 });
    // each node's messages as its commits cut them; they reach the stream roughly in venue order
    const order = [...messages(a, 7).map((m) => ({ node: 'a' as const, ...m })), ...messages(b, 13).map((m) => ({ node: 'b' as const, ...m }))]
      .sort((x, y) => x.last - y.last || (x.node < y.node ? -1 : 1));
    const publishers = { a: new TradePublisher(jetStreamTarget(jetstream(await conn()))), b: new TradePublisher(jetStreamTarget(jetstream(await conn()))) };
    const push = (node: 'a' | 'b', records: LinkedBookRecord[]) => publishers[node].pushBooks([{ exchange: 'binance', market: 'spot', symbol: SYMBOL, rows: records.map((l) => bookRow(l.record, l.prev)) }]);
    for (const m of order) {
      push(m.node, m.records);
      // one at a time, so the stream's order is the one above
      await publishers[m.node].idle();
    }
    // a retry of one of a's messages: the same id, dropped by the stream
    push('a', order.find((m) => m.node === 'a')!.records);
    await publishers.a.idle();
    assert.equal(publishers.a.stats.duplicatesDropped, 1);
    const published = a.length + b.length;
    assert.equal(publishers.a.stats.bookRecords + publishers.b.stats.bookRecords, published + 7);

    const dir = join(nats.root, 'books');
    const store = openHistoryStore({ path: dir });
    const archiver = new Archiver(await conn(), { store, durable: 'books' });
    await archiver.start();
    const seen = (s: typeof archiver.stats) => s.booksWritten + s.bookDuplicates + s.bookSkipped;
    await until(() => seen(archiver.stats) >= published, 20_000, 'the archiver to read the books');
    await archiver.stop();
    assert.equal(archiver.stats.bookGaps, 0, 'no gap: b continued a\'s book');
    assert.equal(archiver.stats.malformed, 0);

    const stored = [...storedBookRange(store.env, { exchange: 'binance', market: 'spot', symbol: SYMBOL })];
    assert.deepEqual(stored.map((r) => r.sequence), Array.from({ length: 401 }, (_, i) => 1000 + i), 'a\'s snapshot, then each venue update once, in order');
    assert.ok(stored.every((r) => r.kind !== 'resync'));
    // both nodes' records make the book: b's from a's death on at least (b received everything 23 ms after the venue)
    const fromB = stored.filter((r) => r.localTimestamp - r.timestamp === 23).length;
    assert.ok(fromB >= 150 && fromB < 401, `${fromB} of b's records`);
    assert.equal(archiver.stats.booksWritten, 401);
    assert.equal(archiver.stats.bookDuplicates + archiver.stats.bookSkipped, published - 401);
    for (const sequence of [1000, 1001, 1099, 1100, 1180, 1250, 1251, 1299, 1300, 1357, 1400]) {
      const book = storedBookAt(store.env, 'binance', 'spot', SYMBOL, timeOf(sequence) + 5, 1_000);
      assert.ok(book?.synced === true, `synced at ${sequence}`);
      assert.equal(book.sequence, sequence);
      assert.deepEqual({ bids: book.bids, asks: book.asks }, bookThrough(events, sequence), `the book at ${sequence}`);
    }

    // the whole stream again, through another consumer, into the same store: nothing stored twice
    const again = new Archiver(await conn(), { store, durable: 'books-again' });
    await again.start();
    await until(() => seen(again.stats) >= published, 20_000, 'the second archiver to read the books');
    await again.stop();
    assert.equal(again.stats.booksWritten, 0);
    assert.equal(again.stats.bookGaps, 0);
    assert.equal(again.stats.bookDuplicates + again.stats.bookSkipped, published);
    assert.equal([...storedBookRange(store.env, { exchange: 'binance', market: 'spot', symbol: SYMBOL })].length, 401);
    await store.close();
  });
});
