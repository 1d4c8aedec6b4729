/**
 * The Link against a scripted WebSocket server on loopback: what it reports for server pings, for
 * data, and for refusals, per exchange style.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { createAdapter } from '../../src/exchanges/index.js';
import type { Instrument } from '../../src/exchanges/types.js';
import type { Channel, ExchangeId, Market, MarketRecord } from '../../src/records.js';
import { Link, type LinkEvents } from '../../src/transport/link.js';

let server: WebSocketServer;
let url = '';
/** what the scripted server does with each client */
let script: (ws: WebSocket) => void = () => {};

before(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  server.on('connection', (ws) => script(ws));
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const INSTRUMENTS: Record<string, Instrument[]> = {
  bybit: ['BTC', 'ETH', 'SOL'].map((b) => ({ symbol: `${b}/USDT`, nativeId: `${b}USDT`, base: b, quote: 'USDT', active: true })),
  okx: ['BTC', 'ETH', 'SOL'].map((b) => ({ symbol: `${b}/USDT`, nativeId: `${b}-USDT`, base: b, quote: 'USDT', active: true })),
  binance: ['BTC', 'ETH', 'SOL'].map((b) => ({ symbol: `${b}/USDT`, nativeId: `${b}USDT`, base: b, quote: 'USDT', active: true })),
};

interface Seen {
  events: string[];
  frames: number;
  records: number;
  pongs: number;
  acked: string[];
  rejected: Array<{ symbols: string[]; reason: string; named?: string[] }>;
  delivered: MarketRecord[];
  /** the delivered arrays' records as given (not copies) */
  batches: MarketRecord[][];
  /** the symbols of each data frame, as the frame event gave them */
  frameSymbols: string[][];
}

function open(exchange: ExchangeId, market: Market, channels: Channel[] = ['trade'], raw?: string[]): { link: Link; seen: Seen; opened: Promise<void> } {
  const seen: Seen = { events: [], frames: 0, records: 0, pongs: 0, acked: [], rejected: [], delivered: [], batches: [], frameSymbols: [] };
  const list = INSTRUMENTS[exchange]!;
  let resolveOpen!: () => void;
  const opened = new Promise<void>((r) => (resolveOpen = r));
  const events: LinkEvents = {
    open: () => resolveOpen(),
    closed: (reason) => seen.events.push(`closed ${reason}`),
    acked: (symbols) => seen.acked.push(...symbols),
    rejected: (symbols, reason, named) => seen.rejected.push(named ? { symbols, reason, named } : { symbols, reason }),
    pong: () => seen.pongs++,
    frame: (records, _malformed, batch, from = 0) => {
      seen.frames++;
      seen.records += records;
      // the frame's own records: batch[from, from + records)
      if (batch && records > 0) seen.frameSymbols.push(batch.slice(from, from + records).map((r) => r.symbol));
    },
  };
  const link = new Link(
    {
      adapter: createAdapter(exchange, market, { wsUrl: url }),
      wsUrl: url,
      instrument: (s) => list.find((i) => i.symbol === s),
      instruments: () => list,
      // copies: a delivered trade may be lent (transport/trade-pool.ts) and filled again after the call
      deliver: (records) => {
        seen.batches.push(records.slice());
        seen.delivered.push(...records.map((r) => ({ ...r })));
      },
      ...(raw ? { raw: (frame: string | Buffer) => void raw.push(String(frame)) } : {}),
    },
    channels,
    0,
    events,
  );
  return { link, seen, opened };
}

const until = async (cond: () => boolean, what: string) => {
  const deadline = Date.now() + 2_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('link', () => {
  test('a server that pings but sends no data: pings are keep-alive (pong), never frames', async () => {
    script = (ws) => {
      for (let i = 0; i < 5; i++) ws.ping();
    };
    const { link, seen, opened } = open('binance', 'spot');
    await opened;
    await until(() => seen.pongs === 5, 'five pings');
    assert.equal(seen.frames, 0, 'no frame counted');
    assert.equal(seen.records, 0);
    link.close();
  });

  test('Bybit: a refusal naming one topic refuses the whole request; the named one is reported as the culprit', async () => {
    script = (ws) =>
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { req_id: string };
        ws.send(JSON.stringify({ success: false, ret_msg: 'Invalid symbol :[publicTrade.ETHUSDT]', conn_id: 'c', req_id: req.req_id, op: 'subscribe' }));
      });
    const { link, seen, opened } = open('bybit', 'spot');
    await opened;
    link.subscribe(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    await until(() => seen.rejected.length === 1, 'the refusal');
    assert.deepEqual(seen.rejected[0], {
      symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
      reason: 'Invalid symbol :[publicTrade.ETHUSDT]',
      named: ['ETH/USDT'],
    });
    assert.deepEqual([...link.onSocket], [], 'nothing of a refused request is on the socket');
    link.close();
  });

  test('OKX: an error naming one instrument refuses that stream only; the others are acked', async () => {
    script = (ws) =>
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { id: string; args: Array<{ channel: string; instId: string }> };
        for (const arg of req.args) {
          if (arg.instId === 'ETH-USDT') ws.send(JSON.stringify({ id: req.id, event: 'error', code: '60018', msg: `Wrong URL or channel:trades,instId:ETH-USDT doesn't exist`, connId: 'c' }));
          else ws.send(JSON.stringify({ id: req.id, event: 'subscribe', arg, connId: 'c' }));
        }
      });
    const { link, seen, opened } = open('okx', 'spot');
    await opened;
    link.subscribe(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    await until(() => seen.rejected.length === 1 && seen.acked.length === 2, 'answers');
    assert.deepEqual(seen.rejected[0]!.symbols, ['ETH/USDT']);
    assert.deepEqual(seen.rejected[0]!.named, ['ETH/USDT']);
    assert.deepEqual(seen.acked.sort(), ['BTC/USDT', 'SOL/USDT']);
    link.close();
  });

  test("OKX: a symbol refused on one channel and acked on the other is refused, not subscribed by the other channel's ack", async () => {
    // trades refused for ETH, tickers acked for every instrument (each channel answered on its own)
    script = (ws) =>
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { id: string; args: Array<{ channel: string; instId: string }> };
        for (const arg of req.args) {
          if (arg.instId === 'ETH-USDT' && arg.channel === 'trades') ws.send(JSON.stringify({ id: req.id, event: 'error', code: '60018', msg: `Wrong URL or channel:trades,instId:ETH-USDT doesn't exist`, connId: 'c' }));
          else ws.send(JSON.stringify({ id: req.id, event: 'subscribe', arg, connId: 'c' }));
        }
        // then a trade: once it is delivered, every answer before it has been read
        ws.send(JSON.stringify({ arg: { channel: 'trades', instId: 'BTC-USDT' }, data: [{ instId: 'BTC-USDT', tradeId: '1', px: '1', sz: '1', side: 'buy', ts: String(Date.now()) }] }));
      });
    const { link, seen, opened } = open('okx', 'spot', ['trade', 'ticker']);
    await opened;
    link.subscribe(['BTC/USDT', 'ETH/USDT']);
    try {
      await until(() => seen.delivered.length === 1, 'the trade after the answers');
      assert.deepEqual(seen.rejected[0]!.symbols, ['ETH/USDT']);
      assert.deepEqual(seen.acked, ['BTC/USDT'], 'BTC acked once both its channels were; ETH never');
    } finally {
      link.close();
    }
  });

  test('Binance: no ack at all, but the symbol trades: its first data confirms it', async () => {
    script = (ws) =>
      ws.on('message', () => {
        // the ack is lost; the stream flows
        ws.send(JSON.stringify({ e: 'trade', E: 1_700_000_000_001, s: 'BTCUSDT', t: 7, p: '100.0', q: '1.0', T: 1_700_000_000_000, m: true, M: true }));
      });
    const { link, seen, opened } = open('binance', 'spot');
    await opened;
    link.subscribe(['BTC/USDT']);
    await until(() => seen.acked.length === 1, 'the confirmation');
    assert.deepEqual(seen.acked, ['BTC/USDT']);
    assert.equal(seen.delivered.length, 1);
    link.close();
  });

  test('a stream already confirmed on the socket is confirmed again without a second SUBSCRIBE', async () => {
    let requests = 0;
    script = (ws) =>
      ws.on('message', (data) => {
        requests++;
        const req = JSON.parse(String(data)) as { id: number };
        ws.send(JSON.stringify({ result: null, id: req.id }));
      });
    const { link, seen, opened } = open('binance', 'spot');
    await opened;
    link.subscribe(['BTC/USDT']);
    await until(() => seen.acked.length === 1, 'the ack');
    link.subscribe(['BTC/USDT']);
    await until(() => seen.acked.length === 2, 'the second confirmation');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(requests, 1);
    link.close();
  });

  test('subscribing again after an unsubscribe sends a fresh SUBSCRIBE (a resubscription reaches the exchange)', async () => {
    const methods: string[] = [];
    script = (ws) =>
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { id: number; method: string };
        methods.push(req.method);
        ws.send(JSON.stringify({ result: null, id: req.id }));
      });
    const { link, seen, opened } = open('binance', 'spot');
    await opened;
    link.subscribe(['ETH/USDT']);
    await until(() => seen.acked.length === 1, 'the ack');
    link.unsubscribe(['ETH/USDT']);
    link.subscribe(['ETH/USDT']);
    await until(() => seen.acked.length === 2, 'the second ack');
    assert.deepEqual(methods, ['SUBSCRIBE', 'UNSUBSCRIBE', 'SUBSCRIBE']);
    link.close();
  });

  test('OKX: an UNSUBSCRIBE of a delisted instrument answered by one error per channel is never taken for a refusal', async () => {
    script = (ws) =>
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { id: string; op: string; args: Array<{ channel: string; instId: string }> };
        for (const arg of req.args) {
          if (req.op === 'unsubscribe') {
            ws.send(JSON.stringify({ id: req.id, event: 'error', code: '60018', msg: `Wrong URL or channel:${arg.channel},instId:${arg.instId} doesn't exist`, connId: 'c' }));
          } else ws.send(JSON.stringify({ id: req.id, event: 'subscribe', arg, connId: 'c' }));
        }
      });
    const { link, seen, opened } = open('okx', 'spot', ['trade', 'ticker']);
    await opened;
    link.subscribe(['ETH/USDT']);
    await until(() => seen.acked.length === 1, 'the ack');
    link.unsubscribe(['ETH/USDT']);
    link.subscribe(['ETH/USDT']);
    await until(() => seen.acked.length === 2, 'the second ack');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen.rejected, [], 'both errors belong to the UNSUBSCRIBE');
    link.close();
  });

  test('each data frame is reported with its records, so activity can be counted per symbol', async () => {
    script = (ws) =>
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { id: number };
        ws.send(JSON.stringify({ result: null, id: req.id }));
        for (const [s, t] of [['BTCUSDT', 1], ['ETHUSDT', 2], ['BTCUSDT', 3]] as const) {
          ws.send(JSON.stringify({ e: 'trade', E: 1_700_000_000_001, s, t, p: '100.0', q: '1.0', T: 1_700_000_000_000, m: true, M: true }));
        }
      });
    const { link, seen, opened } = open('binance', 'spot');
    await opened;
    try {
      link.subscribe(['BTC/USDT', 'ETH/USDT']);
      await until(() => seen.frameSymbols.length === 3, 'three data frames');
      assert.deepEqual(seen.frameSymbols, [['BTC/USDT'], ['ETH/USDT'], ['BTC/USDT']]);
    } finally {
      link.close();
    }
  });

  test('Binance: trades read from bytes into lent objects are delivered in order with the frames read as text between them', async () => {
    const trade = (s: string, t: number) => JSON.stringify({ e: 'trade', E: 1_700_000_000_001, s, t, p: `${100 + t}.5`, q: '1.25', T: 1_700_000_000_000 + t, m: t % 2 === 0, M: true });
    const sent: string[] = [];
    for (let t = 1; t <= 600; t++) {
      sent.push(trade(t % 3 === 0 ? 'ETHUSDT' : t % 50 === 0 ? '币安人生USDT' : 'BTCUSDT', t));
      // between them, frames the byte scanner leaves to the text path: a ticker, a trade with
      // whitespace, an answer with no request behind it
      if (t % 97 === 0) sent.push(JSON.stringify({ e: '24hrTicker', E: 1_700_000_000_000 + t, s: 'BTCUSDT', c: '101.0' }));
      if (t % 101 === 0) sent.push(trade('BTCUSDT', 10_000 + t).replace(',', ', '));
    }
    script = (ws) =>
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { id: number };
        ws.send(JSON.stringify({ result: null, id: req.id }));
        for (const frame of sent) ws.send(frame);
      });
    const raw: string[] = [];
    const { link, seen, opened } = open('binance', 'spot', ['trade', 'ticker'], raw);
    await opened;
    try {
      link.subscribe(['BTC/USDT', 'ETH/USDT']);
      await until(() => seen.delivered.length === sent.length, 'every frame delivered');
      // raw frames kept are the frames as sent, whichever way they were read (a non-ASCII id included)
      assert.deepEqual(raw.slice(-sent.length), sent);
      const parser = createAdapter('binance', 'spot', { wsUrl: url }).createParser(INSTRUMENTS.binance);
      const expected = sent.flatMap((f) => parser.parse(f, 0).records.map((r) => ({ ...r, localTimestamp: 0 })));
      assert.deepEqual(seen.delivered.map((r) => ({ ...r, localTimestamp: 0 })), expected);
      // and they were lent: one object carried trades of more than one delivery (the copy rule is exercised)
      const batchesOf = new Map<MarketRecord, number>();
      for (const batch of seen.batches) for (const r of new Set(batch)) batchesOf.set(r, (batchesOf.get(r) ?? 0) + 1);
      assert.ok([...batchesOf.values()].some((n) => n > 1), 'no trade object was reused across deliveries');
    } finally {
      link.close();
    }
  });
});
