/**
 * Format drift end to end, below the socket: frames enter a real Link (a fake socket delivers
 * them), pass the venue runtime into a real LMDB store, its quarantine and its raw frames; the
 * `quarantine` and `reparse` commands then run as a user runs them, in another process.
 *
 * The story: an OKX swap feed whose trades yesterday's parser could not read (a stub that refuses
 * every data frame, as a parser does after the venue changed a field's form), plus one frame of a
 * channel nobody knows. Both land in the quarantine and its metric; the raw frames are kept; after
 * the "parser fix" (the real parser) `reparse` turns the kept frames into the right trades —
 * amounts in base units through the listing's ctVal — and a second reparse writes nothing new.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { createAdapter } from '../../src/exchanges/index.js';
import { MalformedFrameError, type ExchangeAdapter, type FrameParser, type Instrument } from '../../src/exchanges/types.js';
import { createMetrics } from '../../src/metrics/registry.js';
import { createPipeline } from '../../src/ingest/index.js';
import type { MarketRecord, Trade } from '../../src/records.js';
import { VenueRuntime } from '../../src/runtime/venue-io.js';
import { openHistoryStore, QuarantineWriter, RawFrameWriter, readQuarantine, type OpenedHistoryStore } from '../../src/store/index.js';
import { openQuarantineDb } from '../../src/store/quarantine.js';
import { Link } from '../../src/transport/link.js';
import type { VenueIo } from '../../src/transport/venue-io.js';

const silent = { warn: () => undefined, info: () => undefined, error: () => undefined };

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/run-cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SWAP: Instrument = { symbol: 'BTC/USDT:USDT', nativeId: 'BTC-USDT-SWAP', base: 'BTC', quote: 'USDT', settle: 'USDT', active: true, contractSize: 0.01 };

/** a socket that is open at once and delivers what the test emits */
function fakeSocket(): WebSocket & EventEmitter {
  const s = new EventEmitter() as unknown as WebSocket & EventEmitter;
  Object.assign(s, { readyState: 1, send: () => undefined, ping: () => undefined, pause: () => undefined, resume: () => undefined, close: () => undefined, terminate: () => undefined });
  return s;
}

/** "last week's parser": reads control frames, refuses every data frame as the venue's new form */
function brokenParser(real: FrameParser): FrameParser {
  return {
    parse(frame, at) {
      const text = typeof frame === 'string' ? frame : frame.toString('utf8');
      if (text.includes('"channel":"trades"')) throw new MalformedFrameError('field sz is not a number: "5"', { reason: 'bad-field' });
      return real.parse(frame, at);
    },
  };
}

function tradeFrame(id: number, ts: number): string {
  return JSON.stringify({ arg: { channel: 'trades', instId: 'BTC-USDT-SWAP' }, data: [{ instId: 'BTC-USDT-SWAP', tradeId: String(id), px: '42219.9', sz: '5', side: 'buy', ts: String(ts) }] });
}
const UNKNOWN = '{"arg":{"channel":"books5","instId":"BTC-USDT-SWAP"},"data":[{"asks":[],"bids":[],"ts":"1"}]}';

describe('format drift: quarantine, raw frames, reparse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-drift-'));
  let store: OpenedHistoryStore;
  let runtime: VenueRuntime;
  let link: Link;
  const tradeTimes: number[] = [];
  const delivered: MarketRecord[] = [];

  before(async () => {
    store = openHistoryStore({ path: dir, noSync: true });
    const quarantine = new QuarantineWriter(store.env, { flushMs: 5 });
    const raw = new RawFrameWriter(store.env, { maxAgeMs: 24 * 3600_000, maxBytes: 1 << 30, flushMs: 5 });
    const pipeline = createPipeline({ store, batchMaxDelayMs: 1, maxClockSkewMs: 60_000 });
    const base = createAdapter('okx', 'futures');
    const adapter: ExchangeAdapter = { ...base, listInstruments: async () => [SWAP], createParser: (i) => brokenParser(base.createParser(i)) };
    const rest = async () => ({ status: 500, headers: {}, body: null });
    runtime = new VenueRuntime(adapter, 'ws://fake', 'http://fake', pipeline, rest, silent, [], undefined, { quarantine, raw });
    await runtime.list();
    const socket = fakeSocket();
    const io: VenueIo = {
      adapter: runtime.adapter,
      wsUrl: 'ws://fake',
      instrument: (s) => runtime.instrument(s),
      instruments: () => runtime.instruments(),
      deliver: (records) => {
        delivered.push(...records);
        runtime.deliver(records);
      },
      malformed: (reason, frame, group) => runtime.malformed(reason, frame, group),
      quarantine: (f) => runtime.quarantine(f),
      ...(runtime.raw ? { raw: runtime.raw } : {}),
      openSocket: () => socket,
    };
    const none = () => undefined;
    link = new Link(io, ['trade'], 0, { open: none, closed: none, acked: none, rejected: none, pong: none, frame: none });
    const now = Date.now();
    for (let i = 0; i < 3; i++) {
      tradeTimes.push(now - 1000 + i);
      socket.emit('message', Buffer.from(tradeFrame(500 + i, now - 1000 + i)), false);
    }
    socket.emit('message', Buffer.from(UNKNOWN), false);
    socket.emit('message', Buffer.from('pong'), false);
    await pipeline.flush();
    await quarantine.flush();
    await raw.flush();
  });

  after(async () => {
    link?.close();
    await store?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a frame of an unknown kind, and frames the parser refused, are counted by reason (the metric) and kept (the quarantine)', async () => {
    assert.equal(delivered.length, 0, 'the broken parser made no records');
    const rows = runtime.quarantineRows().sort((a, b) => a.reason.localeCompare(b.reason));
    assert.deepEqual(rows, [
      { exchange: 'okx', market: 'futures', reason: 'bad-field', count: 3 },
      { exchange: 'okx', market: 'futures', reason: 'unknown-kind', count: 1 },
    ]);
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.updateQuarantine(rows);
    const text = await metrics.registry.metrics();
    assert.match(text, /tickvisor_collector_frames_quarantined_total\{exchange="okx",market="futures",reason="unknown-kind"\} 1/);
    assert.match(text, /tickvisor_collector_frames_quarantined_total\{exchange="okx",market="futures",reason="bad-field"\} 3/);

    const { counts, examples } = readQuarantine(openQuarantineDb(store.env));
    assert.deepEqual(counts.map((c) => [c.reason, c.count]).sort(), [['bad-field', 3], ['unknown-kind', 1]]);
    const unknown = examples.find((e) => e.reason === 'unknown-kind');
    assert.ok(unknown);
    assert.equal(unknown.raw, UNKNOWN);
    assert.equal(unknown.message, 'channel books5');
    assert.equal(unknown.connection, link.connection);
    assert.ok(unknown.receivedAt > 0);
  });

  test('stored history has none of those trades yet', async () => {
    const stored: MarketRecord[] = [];
    for await (const r of store.readRange({ exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT' })) stored.push(r);
    assert.deepEqual(stored, []);
  });

  test('`tickvisor quarantine` prints the counts and the kept frames, as text and as JSON lines', async () => {
    await store.close(); // the commands below are other processes
    const text = cli('quarantine', '--db', dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^okx futures bad-field: 3 frames/m);
    assert.match(text.stdout, /^okx futures unknown-kind: 1 frame \(/m);
    assert.ok(text.stdout.includes(UNKNOWN), 'the raw frame is printed');
    const jsonl = cli('quarantine', '--db', dir, '--reason', 'unknown-kind', '--format', 'jsonl');
    assert.equal(jsonl.code, 0, jsonl.stderr);
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; reason: string; raw?: string; count?: number });
    assert.deepEqual(lines.map((l) => [l.type, l.reason]), [['count', 'unknown-kind'], ['example', 'unknown-kind']]);
    assert.equal(lines[1]!.raw, UNKNOWN);
    const bad = cli('quarantine', '--db', dir, '--reason', 'nonsense');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^tickvisor quarantine: --reason must be one of/);
  });

  test('after the parser fix, `tickvisor reparse` turns the kept raw frames into the right trades, once', async () => {
    const first = cli('reparse', '--db', dir, '--format', 'json');
    assert.equal(first.code, 0, first.stderr);
    const counts = JSON.parse(first.stdout) as { frames: number; written: number; duplicates: number; unreadable: Record<string, number> };
    assert.equal(counts.frames, 5, 'three trades, the unknown frame and a pong');
    assert.equal(counts.written, 3);
    assert.equal(counts.duplicates, 0);
    assert.deepEqual(counts.unreadable, { 'unknown-kind': 1 });

    const reader = openHistoryStore({ path: dir, readOnly: true });
    const trades: Trade[] = [];
    try {
      for await (const r of reader.readRange({ exchange: 'okx', market: 'futures', symbol: 'BTC/USDT:USDT', type: 'trade' })) trades.push(r as Trade);
    } finally {
      await reader.close();
    }
    assert.deepEqual(trades.map((t) => [t.id, t.timestamp, t.price, t.amount, t.side]), tradeTimes.map((ts, i) => [String(500 + i), ts, 42219.9, 0.05, 'buy']));
    assert.ok(trades.every((t) => t.localTimestamp >= t.timestamp), 'receive time of the raw frame');

    const again = cli('reparse', '--db', dir, '--format', 'json');
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout) as { written: number; duplicates: number };
    assert.equal(second.written, 0);
    assert.equal(second.duplicates, 3);
  });
});
