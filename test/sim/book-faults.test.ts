/**
 * The simulator's book faults, seen by a client that syncs by the venue's rules: a dropped or
 * reordered update and a wrong OKX checksum break the sequence; a stale REST snapshot cannot be
 * joined to the stream; the depth endpoint can answer 429.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BookReplay } from '../../src/books/replay.js';
import { bookVenue } from '../../src/books/venues.js';
import type { ExchangeId, Market } from '../../src/records.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import type { SimFaultKind } from '../../src/sim/types.js';
import { connect, fakeClock, getJson, waitFor } from './helpers.js';

let sim: SimExchange | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(exchange: ExchangeId, market: Market, symbol: string) {
  const clock = fakeClock();
  const s = await startSimExchange({ mode: 'manual', seed: 9, now: clock.now, venues: [{ exchange, market, symbols: [{ symbol, tradesPerSecond: 40 }] }] });
  sim = s;
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 20) {
      clock.advance(20);
      s.advance(20);
    }
  };
  return { sim: s, run };
}

/**
 * frames of a Binance spot depth stream as a client subscribing after 6 s sees them, with the REST
 * snapshot it takes 300 ms later; `fault` injected before the snapshot request (REST faults) or
 * right after it (stream faults, which a snapshot taken after them would hide)
 */
async function binanceRun(fault: SimFaultKind | undefined) {
  const { sim: s, run } = await start('binance', 'spot', 'BTC/USDT');
  const { wsUrl, restUrl } = s.endpoints('binance', 'spot');
  const ws = await connect(wsUrl);
  ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 1 });
  await waitFor(() => ws.frames.length >= 1);
  const arrived = async () => {
    const pushed = s.trueBook('binance', 'spot', 'BTC/USDT', 1)!.pushedId;
    await waitFor(() => ws.json().some((m) => ((m as { u?: number }).u ?? -1) >= pushed), 2000, 'the pushed updates');
  };
  run(6_000); // the book's history fills up (stale snapshots are 5 s old)
  await arrived();
  const skip = ws.frames.length; // a client subscribing now buffers from here
  run(300);
  const restFault = fault === 'book-stale-snapshot' || fault === 'book-snapshot-429';
  if (fault !== undefined && restFault) s.inject({ kind: fault, exchange: 'binance', market: 'spot', count: 1 });
  const snap = await getJson(`${restUrl}/api/v3/depth?symbol=BTCUSDT&limit=1000`);
  if (fault !== undefined && !restFault) s.inject({ kind: fault, exchange: 'binance', market: 'spot', count: 1 });
  run(1_000);
  await arrived();
  await ws.close();
  return { frames: ws.frames.slice(skip), snap };
}

describe('book faults', () => {
  test('without a fault the stream joins the snapshot', async () => {
    const { frames, snap } = await binanceRun(undefined);
    const replay = new BookReplay(bookVenue('binance', 'spot'), { snapshot: snap.body });
    assert.deepEqual(frames.flatMap((f) => replay.line(f)), []);
  });

  for (const kind of ['book-drop', 'book-out-of-order'] as const) {
    test(`${kind}: the update sequence breaks`, async () => {
      const { frames, snap } = await binanceRun(kind);
      const replay = new BookReplay(bookVenue('binance', 'spot'), { snapshot: snap.body });
      const problems = frames.flatMap((f) => replay.line(f));
      assert.equal(replay.breaks, 1, problems.join('; '));
      assert.match(problems[0] ?? '', /missed events/);
    });
  }

  test('book-stale-snapshot: the snapshot is older than what was buffered, so the first event cannot follow it', async () => {
    const { frames, snap } = await binanceRun('book-stale-snapshot');
    const replay = new BookReplay(bookVenue('binance', 'spot'), { snapshot: snap.body });
    const problems = frames.flatMap((f) => replay.line(f));
    assert.equal(replay.breaks, 1, problems.join('; '));
  });

  test('book-snapshot-429: the depth endpoint answers with the rate-limit reply', async () => {
    const { snap } = await binanceRun('book-snapshot-429');
    assert.equal(snap.status, 429);
  });

  test('book-checksum: an OKX update with a wrong checksum is caught and not applied', async () => {
    const { sim: s, run } = await start('okx', 'spot', 'BTC/USDT');
    const ws = await connect(s.endpoints('okx', 'spot').wsUrl);
    ws.send({ op: 'subscribe', args: [{ channel: 'books', instId: 'BTC-USDT' }] });
    await waitFor(() => ws.frames.length >= 1);
    // no snapshot on the channel (as OKX today): the book starts from REST
    const snapshot = (await getJson(`${s.endpoints('okx', 'spot').restUrl}/api/v5/market/books?instId=BTC-USDT&sz=400`)).body;
    run(500);
    s.inject({ kind: 'book-checksum', exchange: 'okx', market: 'spot', count: 1 });
    run(500);
    await waitFor(() => ws.frames.length >= 8);
    await ws.close();
    const replay = new BookReplay(bookVenue('okx', 'spot'), { snapshot });
    const problems = ws.frames.flatMap((f) => replay.line(f));
    assert.equal(replay.breaks, 1, problems.join('; '));
    assert.match(problems[0] ?? '', /checksum mismatch/);
  });
});
