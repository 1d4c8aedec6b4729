/**
 * SIGKILL of one NATS server mid-run (the one leading the stream): the publisher retries what
 * went unanswered under the same message ids, the archiver carries on, and the archive ends with
 * every trade exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Archiver } from '../../src/cluster/archiver.js';
import { jetStreamTarget, TradePublisher } from '../../src/cluster/publisher.js';
import { ensureStream } from '../../src/cluster/stream.js';
import { STREAM_NAME } from '../../src/cluster/subjects.js';
import type { Trade } from '../../src/records.js';
import { openHistoryStore } from '../../src/store/index.js';
import { natsSkip, startNatsCluster, type NatsCluster } from '../helpers/nats-cluster.js';

describe('one NATS server killed while trades flow', { skip: natsSkip }, () => {
  let cluster: NatsCluster;
  let root: string;
  const connections: NatsConnection[] = [];
  const conn = async () => {
    const nc = await connect({ servers: cluster.urls.split(','), reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    connections.push(nc);
    return nc;
  };
  before(async () => {
    cluster = await startNatsCluster(3);
    root = mkdtempSync(join(tmpdir(), 'tv-kill-nats-'));
  });
  after(async () => {
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('the stream leader dies: lost 0, stored twice 0', async (t) => {
    const jsm = await ensureStream(await conn(), { replicas: 3 });
    const store = openHistoryStore({ path: join(root, 'archive') });
    const archiver = new Archiver(await conn(), { store });
    await archiver.start();
    const publisher = new TradePublisher(jetStreamTarget(jetstream(await conn()), 2_000), { retryMinMs: 100, retryMaxMs: 1_000 });
    publisher.start();

    const symbols = Array.from({ length: 20 }, (_, i) => `N${i}/USDT`);
    let id = 0;
    const pushed = new Map<string, number>();
    const started = Date.now();
    let killed = '';
    while (Date.now() - started < 6_000) {
      const now = Date.now();
      const batch: Trade[] = symbols.flatMap((symbol) =>
        Array.from({ length: 5 }, () => ({ type: 'trade' as const, exchange: 'okx' as const, market: 'spot' as const, symbol, id: String(++id), timestamp: now, localTimestamp: now, price: 1 + (id % 100) / 100, amount: 1, side: 'buy' as const })),
      );
      for (const tr of batch) pushed.set(tr.symbol, (pushed.get(tr.symbol) ?? 0) + 1);
      publisher.push(batch);
      if (!killed && now - started > 1_500) {
        const leader = (await jsm.streams.info(STREAM_NAME)).cluster?.leader ?? '';
        const index = cluster.servers.findIndex((s) => s.name === leader);
        assert.ok(index >= 0, `stream leader ${leader}`);
        await cluster.kill(index);
        killed = leader;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await publisher.close();
    const total = [...pushed.values()].reduce((a, b) => a + b, 0);
    const deadline = Date.now() + 15_000;
    while (archiver.stats.written < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await archiver.stop();
    t.diagnostic(`killed ${killed}; ${total} trades, ${publisher.stats.failedAttempts} publish attempts retried, ${publisher.stats.duplicatesDropped} duplicates dropped by the stream, ${archiver.stats.duplicates} by the store`);
    for (const symbol of symbols) {
      const ids = [...store.readRange({ exchange: 'okx', market: 'spot', symbol, type: 'trade' })].map((r) => (r.type === 'trade' ? r.id : ''));
      assert.equal(new Set(ids).size, ids.length, `${symbol}: stored twice`);
      assert.equal(ids.length, pushed.get(symbol), `${symbol}: lost`);
    }
    await store.close();
  });
});
