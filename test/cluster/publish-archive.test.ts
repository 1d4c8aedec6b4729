/**
 * The data path on a real 3-server NATS cluster (R3 stream): two nodes publishing the same trades
 * leave one copy in the stream (duplicatesDropped > 0) and each trade once in the archive, one of
 * them having missed trades; `tickvisor archive` SIGKILLed mid-stream and started again loses
 * nothing and stores nothing twice.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Archiver } from '../../src/cluster/archiver.js';
import { CursorTracker, openCursorBucket, readPublishedCursor } from '../../src/cluster/cursors.js';
import { jetStreamTarget, TradePublisher } from '../../src/cluster/publisher.js';
import { addStreamCursors } from '../../src/cluster/stream-cursors.js';
import { STREAM_NAME } from '../../src/cluster/subjects.js';
import { Prng } from '../../src/prng.js';
import type { Ticker, Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
import { natsSkip, streamCluster } from '../helpers/nats-cluster.js';

const T0 = 1_764_000_000_000;

function symbolTrades(symbol: string, n: number, seed: number, firstId = 1): Trade[] {
  const prng = new Prng(seed);
  let ts = T0;
  return Array.from({ length: n }, (_, i) => {
    ts += prng.int(8);
    return { type: 'trade', exchange: 'binance', market: 'spot', symbol, id: String(firstId + i), timestamp: ts, localTimestamp: ts + 30, price: 100 + prng.int(10_000) / 100, amount: (1 + prng.int(999)) / 1000, side: prng.next() < 0.5 ? 'buy' : 'sell' };
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** a symbol's tickers as a venue sends them: exchange times increasing, some without bid/ask */
function symbolTickers(symbol: string, n: number, seed: number): Ticker[] {
  const prng = new Prng(seed);
  let ts = T0;
  return Array.from({ length: n }, () => {
    ts += 1 + prng.int(1_000);
    const last = 100 + prng.int(10_000) / 100;
    const t: Ticker = { type: 'ticker', exchange: 'bybit', market: 'spot', symbol, timestamp: ts, localTimestamp: ts + 20, last, volume24h: 1_000 + prng.int(100) };
    if (prng.next() < 0.8) {
      t.bid = last - 0.01;
      t.ask = last + 0.01;
    }
    return t;
  });
}

/** every stored trade id of each symbol, as a list (a double would show as a repeat) */
function storedIds(dir: string, symbols: string[]): Map<string, string[]> {
  const store = openHistoryStore({ path: dir, readOnly: true });
  const out = new Map<string, string[]>();
  for (const symbol of symbols) out.set(symbol, [...store.readRange({ exchange: 'binance', market: 'spot', symbol, type: 'trade' })].map((r) => (r.type === 'trade' ? r.id : '')));
  void store.close();
  return out;
}

describe('publishing and archiving through a 3-server R3 stream', { skip: natsSkip }, () => {
  const children: ChildProcess[] = [];
  // registered first, so the archive children die before the servers stop
  after(() => children.forEach((c) => c.kill('SIGKILL')));
  const nats = streamCluster('tv-archive-');
  const conn = nats.conn;

  test('two redundant publishers, one missing trades: one copy per window in the stream, each trade once in the archive', async () => {
    const symbols = ['R1/USDT', 'R2/USDT', 'R3/USDT', 'R4/USDT'];
    const all = symbols.flatMap((s, i) => symbolTrades(s, 5_000, i + 1));
    const prng = new Prng(99);
    // node b missed 1% of the trades (a socket that dropped a frame): its windows differ there
    const missed = all.filter(() => prng.next() < 0.01);
    const bTrades = all.filter((t) => !missed.includes(t)).reverse();
    // trades in the messages the stream kept (a batch acked as a duplicate was not stored)
    let tradesInStream = 0;
    const cursorKv = await openCursorBucket(await conn(), 3);
    const cursors = new CursorTracker((key, value) => cursorKv.put(key, value));
    const onAcked = (batch: { trades: Trade[] }, duplicate: boolean) => {
      tradesInStream += duplicate ? 0 : batch.trades.length;
      cursors.noteAcked(batch.trades);
    };
    const a = new TradePublisher(jetStreamTarget(jetstream(await conn())), { onAcked });
    const b = new TradePublisher(jetStreamTarget(jetstream(await conn())), { onAcked });
    a.push(all);
    for (let i = 0; i < bTrades.length; i += 500) b.push(bTrades.slice(i, i + 500));
    a.flushClosed();
    b.flushClosed();
    await Promise.all([a.idle(), b.idle()]);
    assert.ok(b.stats.duplicatesDropped + a.stats.duplicatesDropped > 0, 'the stream dropped copies');
    // the cursor a node taking over resumes from: each symbol's newest trade
    assert.equal(await cursors.flush(), symbols.length);
    for (const symbol of symbols) {
      const newest = all.filter((t) => t.symbol === symbol).at(-1)!;
      assert.deepEqual(await readPublishedCursor(cursorKv, 'binance', 'spot', symbol), { tradeId: newest.id, timestamp: newest.timestamp });
    }
    const info = await (await jetstreamManager(await conn())).streams.info(STREAM_NAME);
    assert.equal(info.state.messages, a.stats.batches + b.stats.batches - a.stats.duplicatesDropped - b.stats.duplicatesDropped, 'stored = published − dropped');
    assert.ok(info.state.messages < a.stats.batches + b.stats.batches, 'fewer messages than published');

    // a message no tickvisor wrote, in the middle of the stream: skipped with its reason, no crash
    await jetstream(await conn()).publish('tickvisor.trade.binance.spot.R1/USDT', new TextEncoder().encode('{"not":"msgpack"}'));
    const dir = join(nats.root, 'redundant');
    const store = openHistoryStore({ path: dir });
    const skipped: string[] = [];
    const archiver = new Archiver(await conn(), { store, durable: 'redundant', onMalformed: (subject, reason) => skipped.push(`${subject}: ${reason}`) });
    await archiver.start();
    await until(() => archiver.stats.messages >= info.state.messages + 1, 15_000, 'the archiver to read the stream');
    assert.equal(archiver.stats.malformed, 1);
    assert.match(skipped[0] ?? '', /^tickvisor\.trade\.binance\.spot\.R1\/USDT: /);
    await archiver.stop();
    await store.close();
    assert.equal(archiver.stats.written, 20_000);
    assert.ok(missed.length > 0 && tradesInStream > 20_000, 'b\'s differing windows reached the stream');
    assert.equal(archiver.stats.duplicates, tradesInStream - 20_000, 'the overlap of differing windows was absorbed by the store');
    for (const [symbol, ids] of storedIds(dir, symbols)) {
      assert.equal(ids.length, 5_000, symbol);
      assert.equal(new Set(ids).size, 5_000, `${symbol}: no trade twice`);
    }
  });

  test('a chunk whose commit fails half-way (its numeric-id rows written, its string-id records refused) is retried: each trade once, and the same counts as an archive that never failed', async () => {
    const numeric = ['F1/USDT', 'F2/USDT'].flatMap((s, i) => symbolTrades(s, 1_000, 70 + i));
    const uuid = (i: number) => `${(0x10000000 + i * 7919).toString(16)}-aaaa-4bbb-8ccc-${(0x100000000000 + i * 104729).toString(16)}`;
    // bybit futures: a unit a later test needs nobody to have published for is bybit spot
    const strings = symbolTrades('F3/USDT:USDT', 300, 80).map((t, i): Trade => ({ ...t, exchange: 'bybit', market: 'futures', id: uuid(i) }));
    const p = new TradePublisher(jetStreamTarget(jetstream(await conn())));
    p.push([...numeric, ...strings]);
    p.flushClosed();
    await p.idle();
    const total = (await (await jetstreamManager(await conn())).streams.info(STREAM_NAME)).state.messages;
    const archive = async (name: string, refusals: number) => {
      const real = openHistoryStore({ path: join(nats.root, name) });
      let left = refusals;
      // the records' write (string ids, tickers) fails while `left` lasts: the rows before it in the chunk are on disk already
      const store = { ...real, writeBatch: (records: Parameters<typeof real.writeBatch>[0]) => (left-- > 0 ? Promise.reject(new Error('no space left on device (test)')) : real.writeBatch(records)) };
      const archiver = new Archiver(await conn(), { store, durable: name, retryMs: 5 });
      await archiver.start();
      await until(() => archiver.stats.messages >= total, 15_000, `${name} to read the stream`);
      await archiver.stop();
      const ids = (exchange: 'binance' | 'bybit', market: 'spot' | 'futures', symbol: string) => [...real.readRange({ exchange, market, symbol, type: 'trade' })].map((r) => (r.type === 'trade' ? r.id : ''));
      const stored = { f1: ids('binance', 'spot', 'F1/USDT'), f2: ids('binance', 'spot', 'F2/USDT'), f3: ids('bybit', 'futures', 'F3/USDT:USDT') };
      await real.close();
      return { stats: archiver.stats, stored };
    };
    const healthy = await archive('never-failed', 0);
    const failing = await archive('failed-twice', 2);
    assert.ok(failing.stats.failedCommits >= 2, `${failing.stats.failedCommits} failed commits`);
    assert.equal(failing.stored.f1.length, 1_000);
    assert.equal(new Set(failing.stored.f1).size, 1_000);
    assert.equal(new Set(failing.stored.f2).size, 1_000);
    assert.equal(failing.stored.f3.length, 300);
    assert.equal(new Set(failing.stored.f3).size, 300);
    // the retry neither wrote nor counted the chunk's rows twice
    assert.equal(failing.stats.written, healthy.stats.written);
    assert.equal(failing.stats.duplicates, healthy.stats.duplicates);
  });

  test('tickers from two redundant nodes (other local times, other batching) and a redelivery: each exchange event once in the archive', async () => {
    const symbols = ['T1/USDT', 'T2/USDT', 'T.3/USDT'];
    const all = symbols.flatMap((s, i) => symbolTickers(s, 400, 50 + i));
    // two tickers of one exchange time that differ (a venue sending two states in one ms): both are kept
    const twin: Ticker = { ...all[10]!, last: all[10]!.last + 1, localTimestamp: all[10]!.localTimestamp + 1 };
    const aTickers = [...all.slice(0, 11), twin, ...all.slice(11)];
    // node b received each ticker 3 ms later than a, and committed them in other batches
    const bTickers = aTickers.map((t) => ({ ...t, localTimestamp: t.localTimestamp + 3 }));
    const a = new TradePublisher(jetStreamTarget(jetstream(await conn())));
    const b = new TradePublisher(jetStreamTarget(jetstream(await conn())));
    for (let i = 0; i < aTickers.length; i += 7) a.pushTickers(aTickers.slice(i, i + 7));
    for (let i = 0; i < bTickers.length; i += 13) b.pushTickers(bTickers.slice(i, i + 13));
    // a retry of one of a's messages: the same id, dropped by the stream
    a.pushTickers(aTickers.slice(0, 7));
    await Promise.all([a.idle(), b.idle()]);
    assert.equal(a.stats.tickers, aTickers.length + 7);
    assert.ok(a.stats.duplicatesDropped >= 1, 'the retried message was dropped by the stream');

    const dir = join(nats.root, 'tickers');
    const store = openHistoryStore({ path: dir });
    const archiver = new Archiver(await conn(), { store, durable: 'tickers' });
    await archiver.start();
    const published = (a.stats.tickers - 7) + b.stats.tickers;
    await until(() => archiver.stats.tickersWritten + archiver.stats.tickerDuplicates >= published, 15_000, 'the archiver to read the tickers');
    await archiver.stop();
    assert.equal(archiver.stats.tickersWritten, aTickers.length, 'each exchange event stored once');
    assert.equal(archiver.stats.tickerDuplicates, published - aTickers.length);
    // the same stream again through another consumer into the same store: a redelivery of everything
    const again = new Archiver(await conn(), { store, durable: 'tickers-again' });
    await again.start();
    await until(() => again.stats.tickerDuplicates >= published, 15_000, 'the second archiver to read the tickers');
    await again.stop();
    assert.equal(again.stats.tickersWritten, 0, 'nothing stored twice');
    for (const symbol of symbols) {
      const stored = [...store.readRange({ exchange: 'bybit', market: 'spot', symbol, type: 'ticker' })] as Ticker[];
      const expected = aTickers.filter((t) => t.symbol === symbol);
      assert.equal(stored.length, expected.length, symbol);
      // the twin and its original share an exchange time: which sorts first depends on whose copy was stored
      const fields = (ts: Ticker[]) => ts.map((t) => [t.timestamp, t.last, t.bid, t.ask, t.volume24h]).sort((x, y) => (x[0] as number) - (y[0] as number) || (x[1] as number) - (y[1] as number));
      assert.deepEqual(fields(stored), fields(expected), symbol);
    }
    await store.close();
  });

  test('a symbol the KV has no cursor for (its holder died before its first cursor flush) resumes from its last batch in the stream', async () => {
    const okx = (symbol: string, n: number, seed: number) => symbolTrades(symbol, n, seed).map((t) => ({ ...t, exchange: 'okx' as const }));
    const publisher = new TradePublisher(jetStreamTarget(jetstream(await conn())));
    publisher.start();
    const a = okx('S.1/USDT', 300, 7); // a dot: escaped in the subject, read back as the symbol
    const b = okx('S2/USDT', 200, 8);
    publisher.push([...a, ...b]);
    assert.equal(await publisher.close(10_000), true);
    const jsm = await jetstreamManager(await conn());
    // S2 has a (KV) cursor already: kept as it is; S.1 has none: read from the stream
    const cursors = new Map([['S2/USDT', { tradeId: '5', timestamp: T0 }]]);
    assert.equal(await addStreamCursors(jsm, STREAM_NAME, 'okx', 'spot', cursors), 1);
    const newest = [...a].sort((x, y) => x.timestamp - y.timestamp || Number(x.id) - Number(y.id)).at(-1)!;
    assert.deepEqual(cursors.get('S.1/USDT'), { tradeId: newest.id, timestamp: newest.timestamp });
    assert.deepEqual(cursors.get('S2/USDT'), { tradeId: '5', timestamp: T0 });
    // a unit nobody published for: nothing to add
    assert.equal(await addStreamCursors(jsm, STREAM_NAME, 'bybit', 'spot', new Map()), 0);
  });

  test('tickvisor archive SIGKILLed mid-stream and started again: nothing lost, nothing doubled', async () => {
    const symbols = Array.from({ length: 40 }, (_, i) => `K${i}/USDT`);
    const publisher = new TradePublisher(jetStreamTarget(jetstream(await conn())));
    // ids far from the first test's, and its own symbols
    for (const [i, s] of symbols.entries()) publisher.push(symbolTrades(s, 5_000, 100 + i, 1_000_000));
    publisher.flushClosed();
    await publisher.idle();
    const total = 40 * 5_000;
    const dir = join(nats.root, 'killed');
    const jsm = await jetstreamManager(await conn());
    const consumerState = async () => jsm.consumers.info(STREAM_NAME, 'killed').catch(() => undefined);
    // the archiver takes an existing consumer as it is: one with a 3 s ack wait redelivers what the
    // killed process held after 3 s instead of the default 10 (a shorter test, the same path)
    await jsm.consumers.add(STREAM_NAME, { durable_name: 'killed', ack_policy: AckPolicy.Explicit, ack_wait: nanos(3_000), max_ack_pending: 16_000 });
    const archive = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', 'archive', '--nats', nats.urls, '--data', dir, '--durable', 'killed'], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return { child, exited, output: () => out };
    };

    const first = archive();
    // kill it once some messages are acked and some are not yet
    let pendingAtKill = 0;
    await until(async () => {
      const info = await consumerState();
      if (!info || info.ack_floor.stream_seq === 0) return false;
      pendingAtKill = info.num_pending + info.num_ack_pending;
      first.child.kill('SIGKILL');
      return true;
    }, 20_000, 'the first archiver to ack something');
    await first.exited;
    assert.ok(pendingAtKill > 0, 'killed with messages still to archive');

    const second = archive();
    await until(async () => {
      const info = await consumerState();
      return info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > 0;
    }, 20_000, 'the second archiver to finish the stream');
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output());
    // the consumer reads the whole stream: the unreadable message the first test put there included
    assert.match(second.output(), /archived \d+ messages: \d+ trades stored, \d+ already stored, \d+ tickers stored, \d+ already stored, \d+ book records stored, \d+ already stored, \d+ not continuing the archived book, \d+ gaps, [01] unreadable/);
    let stored = 0;
    for (const [symbol, ids] of storedIds(dir, symbols)) {
      assert.equal(new Set(ids).size, ids.length, `${symbol}: a trade stored twice`);
      assert.equal(ids.length, 5_000, `${symbol}: trades lost`);
      stored += ids.length;
    }
    assert.equal(stored, total);
  });
});
