import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { assign, createActor, createMachine, fromCallback, setup, type InspectionEvent } from 'xstate';
import { coinMachine } from '../../machines/coin.js';
import { createInspectionRecorder, DROPPED_MARKER_TYPE } from '../../src/inspect/recorder.js';

type Line = Record<string, any>;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tv-inspect-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const readLines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line); // throws (fails the test) on any invalid line

describe('inspection recorder', () => {
  test('records a coin run as JSON lines: the actor, each event and each snapshot', async (t) => {
    const path = join(tempDir(t), 'inspect.jsonl');
    let clock = 1_000;
    const recorder = createInspectionRecorder(path, { now: () => clock++ });
    const coin = createActor(coinMachine, {
      systemId: 'coin:binance:spot:BTC/USDT',
      input: { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT' },
      inspect: recorder.inspect,
    });
    coin.start();
    coin.send({ type: 'REQUEST' });
    coin.send({ type: 'CONFIRM' });
    coin.send({ type: 'STOP', reason: 'delisted' });
    coin.stop();
    await recorder.close();

    const lines = readLines(path);
    const types = new Set(lines.map((l) => l.type));
    for (const type of ['@xstate.actor', '@xstate.event', '@xstate.snapshot', '@xstate.microstep']) assert.ok(types.has(type), `has ${type}`);
    for (const l of lines) {
      assert.equal(typeof l.t, 'number');
      assert.equal(l.actor.systemId, 'coin:binance:spot:BTC/USDT');
      assert.equal(l.actor.src, 'coin');
    }
    const actor = lines.find((l) => l.type === '@xstate.actor')!;
    assert.equal(typeof actor.actor.sessionId, 'string');
    assert.equal(actor, lines[0], 'the actor is announced first');
    assert.deepEqual(
      lines.filter((l) => l.type === '@xstate.event').map((l) => l.event.type),
      ['xstate.init', 'REQUEST', 'CONFIRM', 'STOP'],
    );
    const snapshots = lines.filter((l) => l.type === '@xstate.snapshot');
    assert.deepEqual(snapshots.map((l) => l.snapshot.value), ['Ready', 'Requested', { Subscribed: 'Streaming' }, 'Stopped', 'Stopped']);
    assert.equal(snapshots[0]!.snapshot.context.symbol, 'BTC/USDT');
    assert.equal(snapshots.at(-2)!.snapshot.context.stopReason, 'delisted');
    assert.equal(snapshots.at(-1)!.snapshot.status, 'stopped');
    assert.equal(snapshots[1]!.event.type, 'REQUEST');
    const micro = lines.find((l) => l.type === '@xstate.microstep' && l.event.type === 'REQUEST')!;
    assert.deepEqual(micro.transitions, [{ event: 'REQUEST', source: 'coin.Ready', targets: ['coin.Requested'] }]);
    assert.deepEqual(recorder.stats(), { written: lines.length, dropped: 0, failed: false });
  });

  test('snapshots are safe and small: capped strings and arrays, no functions, actor refs by id, cycles marked', async (t) => {
    const path = join(tempDir(t), 'safe.jsonl');
    const recorder = createInspectionRecorder(path, { limits: { maxString: 100, maxArray: 10 } });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const machine = setup({ actors: { worker: fromCallback(() => () => {}) } }).createMachine({
      id: 'heavy',
      context: ({ spawn }) => ({
        big: Array.from({ length: 100_000 }, (_, i) => i),
        text: 'x'.repeat(1_000_000),
        fn: () => 1,
        worker: spawn('worker', { id: 'worker-1' }),
        table: new Map([['a', 1]]),
        cyclic,
        bytes: Buffer.alloc(4096),
      }),
      on: { TOUCH: { actions: assign({ text: 'y'.repeat(10) }) } },
    });
    const actor = createActor(machine, { inspect: recorder.inspect }).start();
    actor.send({ type: 'TOUCH' });
    actor.stop();
    await recorder.close();

    const raw = readFileSync(path, 'utf8');
    assert.ok(raw.length < 200_000, `file stays small (${raw.length} bytes)`);
    const lines = readLines(path);
    const snap = lines.find((l) => l.type === '@xstate.snapshot' && l.actor.src === 'heavy')!.snapshot;
    assert.equal(snap.context.big.length, 11);
    assert.equal(snap.context.big[10], '…(+99990 more)');
    assert.equal(snap.context.text.slice(0, 100), 'x'.repeat(100));
    assert.match(snap.context.text, /…\(\+999900 chars\)$/);
    assert.ok(!('fn' in snap.context));
    assert.equal(snap.context.worker, '[actor worker-1]');
    assert.deepEqual(snap.context.table, { a: 1 });
    assert.equal(snap.context.cyclic.self, '[circular]');
    assert.equal(snap.context.bytes, '[Buffer 4096 bytes]');
    assert.deepEqual(snap.children, ['worker-1']);
    // the child's own actor line is there too, linked to its parent
    const child = lines.find((l) => l.type === '@xstate.actor' && l.actor.id === 'worker-1')!;
    assert.equal(typeof child.actor.parent, 'string');
  });

  test('never throws into the actor system, whatever the event holds', async () => {
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const recorder = createInspectionRecorder(sink);
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); }, ownKeys: () => { throw new Error('no'); } });
    assert.doesNotThrow(() => recorder.inspect({ type: '@xstate.snapshot', actorRef: hostile, rootId: 'x', event: hostile, snapshot: hostile } as unknown as InspectionEvent));
    assert.doesNotThrow(() => recorder.inspect({ type: '@xstate.someday', actorRef: {} as never, rootId: 'x' } as unknown as InspectionEvent));
    await recorder.close();
    assert.equal(recorder.stats().written, 2);
  });

  test('a slow disk makes it drop lines with a counted marker instead of growing without bound', async () => {
    const chunks: string[] = [];
    const held: (() => void)[] = [];
    // a disk that accepts a chunk only when the test says so
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString('utf8'));
        held.push(done);
      },
    });
    const recorder = createInspectionRecorder(slow, { maxBufferedBytes: 16 * 1024 });
    const machine = createMachine({ id: 'ping', context: { n: 0 }, on: { PING: { actions: assign({ n: ({ context }) => context.n + 1 }) } } });
    const actor = createActor(machine, { inspect: recorder.inspect }).start();
    for (let round = 0; round < 5; round += 1) {
      for (let i = 0; i < 200; i += 1) actor.send({ type: 'PING' });
      await new Promise((r) => setImmediate(r));
    }
    const during = recorder.stats();
    assert.ok(during.dropped > 0, 'lines were dropped while the disk was stuck');
    assert.ok(slow.writableLength <= 16 * 1024 + 1024, `bounded: ${slow.writableLength} bytes held`);
    // the disk catches up
    const drain = setInterval(() => held.splice(0).forEach((done) => done()), 1);
    actor.stop();
    await recorder.close();
    clearInterval(drain);
    const lines = chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
    const markers = lines.filter((l) => l.type === DROPPED_MARKER_TYPE);
    const stats = recorder.stats();
    assert.ok(markers.length >= 1);
    assert.equal(markers.reduce((sum, m) => sum + (m.count as number), 0), stats.dropped);
    assert.equal(lines.length - markers.length, stats.written);
  });

  test('a path that cannot be opened fails at once with a coded error', () => {
    assert.throws(() => createInspectionRecorder('/nonexistent-dir/inspect.jsonl'), (e: { code?: string }) => e.code === 'TV_ERR_FILE_NOT_FOUND');
  });
});
