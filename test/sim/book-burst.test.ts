/**
 * The simulator's book burst (benchmarks): N diff events per symbol generated up front and pushed
 * as fast as the socket drains. Over the wire, a client synced by Binance's rules from the REST
 * snapshot ends with the true book; while the burst is on its way, REST answers the book as of the
 * last event handed out, so a client asking at any moment can sync.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BookReplay } from '../../src/books/replay.js';
import { bookVenue } from '../../src/books/venues.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { BookBurst } from '../../src/sim/book/book-burst.js';
import { SimBook, type BookSnapshot } from '../../src/sim/book/sim-book.js';
import { createSymbolState } from '../../src/sim/generator.js';
import type { BookDiff, TickLevel } from '../../src/sim/book/true-book.js';
import { connect, getJson, waitFor } from './helpers.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
const native = (s: string) => s.replace('/', '');

describe('book burst over the wire (binance spot)', () => {
  let sim: SimExchange;
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual', seed: 5,
      venues: [{ exchange: 'binance', market: 'spot', symbols: SYMBOLS.map((symbol) => ({ symbol, tradesPerSecond: 0, tickersPerSecond: 0 })) }],
    });
  });
  after(() => sim.stop());

  test('every event of every subscribed symbol arrives in order, and the synced books equal the true ones', async () => {
    const { wsUrl, restUrl } = sim.endpoints('binance', 'spot');
    const c = await connect(wsUrl);
    c.send({ method: 'SUBSCRIBE', params: SYMBOLS.map((s) => `${native(s).toLowerCase()}@depth@100ms`), id: 1 });
    await waitFor(() => c.frames.length >= 1);
    const snapshots = new Map<string, { lastUpdateId: number }>();
    for (const s of SYMBOLS) snapshots.set(s, (await getJson(`${restUrl}/api/v3/depth?symbol=${native(s)}&limit=1000`)).body as { lastUpdateId: number });

    const PER = 300;
    const sent = sim.prepareBookBurst('binance', 'spot', PER);
    // prepared, not sent: REST still answers the book before the burst, trueBook already its end
    const before = (await getJson(`${restUrl}/api/v3/depth?symbol=BTCUSDT&limit=1000`)).body as { lastUpdateId: number };
    assert.equal(before.lastUpdateId, snapshots.get('BTC/USDT')!.lastUpdateId);
    assert.ok(sim.trueBook('binance', 'spot', 'BTC/USDT', 10)!.updateId > before.lastUpdateId);
    assert.equal(c.frames.length, 1, 'nothing sent before send()');
    await sent.send();
    assert.equal(sent.events, PER * SYMBOLS.length);
    assert.equal(sent.symbols, SYMBOLS.length);
    assert.ok(sent.levelChanges >= sent.events, 'every event changes at least one level');
    await waitFor(() => c.frames.length >= 1 + sent.events, 5000, 'every event');

    const events = c.json().slice(1) as Array<{ e: string; s: string; U: number; u: number; b: unknown[]; a: unknown[] }>;
    assert.equal(events.length, sent.events);
    for (const s of SYMBOLS) {
      const mine = events.filter((e) => e.s === native(s));
      assert.equal(mine.length, PER, s);
      assert.equal(mine[0]!.U, snapshots.get(s)!.lastUpdateId + 1, `${s}: the burst starts right after the snapshot`);
      for (let i = 1; i < mine.length; i++) assert.equal(mine[i]!.U, mine[i - 1]!.u + 1, `${s}: U follows u`);
      const replay = new BookReplay(bookVenue('binance', 'spot'), { snapshot: snapshots.get(s) });
      const problems = c.frames.slice(1).filter((f) => f.includes(`"s":"${native(s)}"`)).flatMap((f) => replay.line(f));
      assert.deepEqual(problems, []);
      const [book] = replay.books(10);
      const truth = sim.trueBook('binance', 'spot', s, 10)!;
      assert.deepEqual(book?.bids, truth.bids, `${s} bids`);
      assert.deepEqual(book?.asks, truth.asks, `${s} asks`);
      assert.equal(truth.pushedId, mine.at(-1)!.u, `${s}: the last pushed id is the last event's`);
    }
    // after the burst REST answers the true book again
    const after = (await getJson(`${restUrl}/api/v3/depth?symbol=BTCUSDT&limit=1000`)).body as { lastUpdateId: number };
    assert.equal(after.lastUpdateId, events.filter((e) => e.s === 'BTCUSDT').at(-1)!.u);
    await c.close();
  });

  test('refused in auto mode, where the regular pushes would interleave with the burst', async () => {
    const auto = await startSimExchange({ seed: 1, venues: [{ exchange: 'binance', market: 'spot', symbols: [{ symbol: 'BTC/USDT', tradesPerSecond: 0 }] }] });
    try {
      assert.throws(() => auto.prepareBookBurst('binance', 'spot', 10), /manual mode/);
    } finally {
      await auto.stop();
    }
  });
});

function simBook(symbol: string): SimBook {
  return new SimBook(createSymbolState({ symbol, tradesPerSecond: 0 }, native(symbol), 0, 100), 0);
}

/** `start` with `diffs` applied, as sorted sides */
function applied(start: BookSnapshot, diffs: readonly BookDiff[]): { bids: TickLevel[]; asks: TickLevel[] } {
  const bids = new Map(start.bids);
  const asks = new Map(start.asks);
  for (const d of diffs) {
    for (const [t, l] of d.bids) l === 0 ? bids.delete(t) : bids.set(t, l);
    for (const [t, l] of d.asks) l === 0 ? asks.delete(t) : asks.set(t, l);
  }
  return { bids: [...bids].sort((x, y) => y[0] - x[0]), asks: [...asks].sort((x, y) => x[0] - y[0]) };
}

describe('BookBurst', () => {
  test('REST answers the start, then the book as of the last event handed out, then the true book', () => {
    const books = [simBook('BTC/USDT'), simBook('ETH/USDT')];
    const starts = books.map((b) => b.snapshot());
    const burst = new BookBurst(books.map((book, i) => ({ target: i, book })), { eventsPerSymbol: 50, meanChanges: 6 });
    assert.equal(burst.left, 100);
    // generated up front: the true book is already at the end, REST still at the start
    assert.ok(books[0]!.book.updateId > starts[0]!.updateId);
    assert.deepEqual(books[0]!.snapshot(), starts[0]);

    const order = burst.events;
    assert.equal(order.length, 100);
    assert.deepEqual(order.slice(0, 4).map((e) => e.target), [0, 1, 0, 1], 'round-robin over the symbols');
    for (const i of [0, 1]) {
      const mine = order.filter((e) => e.target === i);
      assert.equal(mine[0]!.diff.firstId, starts[i]!.updateId + 1);
      for (let k = 1; k < mine.length; k++) {
        assert.equal(mine[k]!.diff.firstId, mine[k - 1]!.diff.lastId + 1, 'ids follow on');
        assert.equal(mine[k]!.prevLastId, mine[k - 1]!.diff.lastId, 'prevLastId chains');
      }
    }
    assert.deepEqual(books[0]!.snapshot(), starts[0], 'nothing handed out: REST answers the start');

    assert.deepEqual(burst.handOut(31), { from: 0, to: 31 });
    assert.equal(burst.left, 69);
    for (const i of [0, 1]) {
      const mine = order.slice(0, 31).filter((e) => e.target === i).map((e) => e.diff);
      const rest = books[i]!.snapshot();
      assert.equal(rest.updateId, mine.at(-1)!.lastId, 'lastUpdateId is the last handed-out event');
      assert.deepEqual({ bids: rest.bids, asks: rest.asks }, applied(starts[i]!, mine));
      assert.equal(books[i]!.lastPushedId, mine.at(-1)!.lastId);
    }
    burst.handOut(10);
    const at41 = order.slice(0, 41).filter((e) => e.target === 1).map((e) => e.diff);
    assert.deepEqual(books[1]!.snapshot(), { ...applied(starts[1]!, at41), updateId: at41.at(-1)!.lastId }, 'asked again later: the later book');

    assert.deepEqual(burst.handOut(1_000), { from: 41, to: 100 });
    assert.equal(burst.left, 0);
    burst.finish();
    for (const i of [0, 1]) {
      const all = order.filter((e) => e.target === i).map((e) => e.diff);
      const truth = books[i]!.book;
      assert.deepEqual(applied(starts[i]!, all), { bids: truth.sorted('bid'), asks: truth.sorted('ask') }, 'the events lead to the true book');
      assert.equal(books[i]!.snapshot().updateId, truth.updateId, 'after finish REST answers the true book');
      assert.equal(books[i]!.lastPushedId, truth.updateId);
    }
    assert.equal(burst.levelChanges, order.reduce((n, e) => n + e.diff.bids.length + e.diff.asks.length, 0));
  });

  test('events change about meanChanges levels, some removals among them, and the book stays within its depth', () => {
    const book = simBook('BTC/USDT');
    const burst = new BookBurst([{ target: 'x', book }], { eventsPerSymbol: 2_000, meanChanges: 10 });
    const events = burst.events;
    const changes = events.map((e) => e.diff.bids.length + e.diff.asks.length);
    const mean = changes.reduce((a, b) => a + b, 0) / changes.length;
    assert.ok(mean > 7 && mean < 11, `mean level changes per event ${mean}`);
    assert.ok(Math.min(...changes) >= 1);
    assert.ok(events.some((e) => [...e.diff.bids, ...e.diff.asks].some(([, l]) => l === 0)), 'removals are sent');
    assert.ok(book.book.bids.size <= 200 && book.book.asks.size <= 200);
    const bestBid = book.book.sorted('bid')[0]![0];
    const bestAsk = book.book.sorted('ask')[0]![0];
    assert.ok(bestBid < bestAsk, 'never crossed');
  });
});
