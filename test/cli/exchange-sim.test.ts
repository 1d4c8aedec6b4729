import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { createAdapter } from '../../src/exchanges/index.js';
import type { RestClient } from '../../src/exchanges/types.js';
import type { ExchangeId, Market, Trade } from '../../src/records.js';

const ENTRY = ['--import', 'tsx', 'test/cli/run-command.ts', 'exchange-sim'];

interface Started {
  child: ChildProcessWithoutNullStreams;
  address: string;
  venues: Array<{ exchange: ExchangeId; market: Market; wsUrl: string; restUrl: string }>;
  /** stdout lines after the venue list (fault reports...) */
  later: string[];
  exit: Promise<number | null>;
}

/** Spawns the command and reads its banner: the address, then one line per venue. */
async function start(args: string[], venueCount: number): Promise<Started> {
  const child = spawn(process.execPath, [...ENTRY, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const lines = createInterface({ input: child.stdout });
  const started: Started = { child, address: '', venues: [], later: [], exit };
  const banner = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (!started.address) {
        const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (!m?.[1]) return reject(new Error(`unexpected first line: ${line}`));
        started.address = m[1];
      } else if (started.venues.length < venueCount) {
        const m = /^(\w+)\/(\w+) wsUrl=(\S+) restUrl=(\S+)/.exec(line);
        if (!m) return reject(new Error(`unexpected venue line: ${line}`));
        started.venues.push({ exchange: m[1] as ExchangeId, market: m[2] as Market, wsUrl: m[3]!, restUrl: m[4]! });
        if (started.venues.length === venueCount) resolve();
      } else started.later.push(line);
    });
    void exit.then((code) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  await banner;
  return started;
}

const http: RestClient = async (url) => {
  const r = await fetch(url);
  return { status: r.status, headers: Object.fromEntries(r.headers), body: await r.json() };
};

/** Lists the venue's instruments by REST, subscribes to trades over its WebSocket, resolves with the first trade. */
async function firstTrade(v: Started['venues'][number]): Promise<Trade> {
  const adapter = createAdapter(v.exchange, v.market, { wsUrl: v.wsUrl, restUrl: v.restUrl });
  const instruments = (await adapter.listInstruments(http, v.restUrl)).filter((i) => i.active);
  assert.ok(instruments.length > 0, `${v.exchange} ${v.market}: no instruments listed`);
  const parser = adapter.createParser(instruments);
  let n = 0;
  const requests = adapter.subscribeRequests(instruments, ['trade'], () => String(++n), instruments);
  const ws = new WebSocket(v.wsUrl);
  try {
    await once(ws, 'open');
    for (const r of requests) ws.send(r.frame);
    return await new Promise<Trade>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        try {
          const trade = parser.parse(data, Date.now()).records.find((r): r is Trade => r.type === 'trade');
          if (trade) resolve(trade);
        } catch (error) {
          reject(error as Error);
        }
      });
      ws.on('close', () => reject(new Error(`${v.exchange} ${v.market}: socket closed before a trade`)));
    });
  } finally {
    ws.terminate();
  }
}

describe('tickvisor exchange-sim', () => {
  test('serves all seven venues: a REST listing and one subscribed trade from each; SIGTERM exits 0', async () => {
    const s = await start(['--port', '0'], 7);
    try {
      assert.deepEqual(
        s.venues.map((v) => `${v.exchange}/${v.market}`),
        ['binance/spot', 'binance/futures', 'upbit/spot', 'bybit/spot', 'bybit/futures', 'okx/spot', 'okx/futures'],
      );
      // every real host (Binance spot, Binance futures, Upbit, Bybit, OKX) on a port of its own, same address
      const host = s.address.replace(/:\d+$/, ':');
      for (const v of s.venues) assert.ok(v.wsUrl.startsWith(host.replace('http:', 'ws:')) && v.restUrl.startsWith(host), v.restUrl);
      assert.equal(new Set(s.venues.map((v) => new URL(v.restUrl).port)).size, 5);
      const trades = await Promise.all(s.venues.map((v) => firstTrade(v)));
      trades.forEach((t, i) => {
        assert.equal(t.exchange, s.venues[i]!.exchange);
        assert.equal(t.market, s.venues[i]!.market);
        assert.ok(t.price > 0 && t.amount > 0);
      });
    } finally {
      s.child.kill('SIGTERM');
    }
    assert.equal(await s.exit, 0);
  });

  test('with --scenario: only its venues, its faults reported as they play; SIGINT exits 0', async () => {
    const s = await start(['--scenario', 'test/fixtures/cli/scenario-small.yaml'], 2);
    try {
      assert.deepEqual(s.venues.map((v) => `${v.exchange}/${v.market}`), ['binance/spot', 'okx/futures']);
      // the faults at 0 and 150 ms play; the one at 50 s does not within this test
      while (s.later.filter((l) => l.startsWith('fault ')).length < 2) await once(s.child.stdout, 'data');
      const faults = s.later.filter((l) => l.startsWith('fault '));
      assert.match(faults[0]!, /^fault 0 at 0 ms: malformed on okx\/\* \(count 1\)$/);
      assert.match(faults[1]!, /^fault 1 at 150 ms: slow on binance\/spot/);
      const trade = await firstTrade(s.venues[0]!);
      assert.ok(['BTC/USDT', 'ETH/USDT'].includes(trade.symbol));
    } finally {
      s.child.kill('SIGINT');
    }
    assert.equal(await s.exit, 0);
  });

  test('a port in use is one clear line and exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const r = spawnSync(process.execPath, [...ENTRY, '--port', String(port)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `tickvisor exchange-sim: cannot listen on 127.0.0.1:${port}: the port is in use; choose another --port (0: any free port) (EADDRINUSE)\n`);
      assert.equal(r.stdout, '');
    } finally {
      blocker.close();
    }
  });

  const mistakes: Array<[string, string[], RegExp]> = [
    ['a scenario with a venue the project does not speak', ['--scenario', 'test/fixtures/cli/scenario-bad-venue.yaml'], /^tickvisor exchange-sim: scenario-bad-venue\.yaml: venues\.0: upbit has no futures market\n$/],
    ['a missing scenario file', ['--scenario', '/nonexistent/s.yaml'], /^tickvisor exchange-sim: cannot read scenario \/nonexistent\/s\.yaml: ENOENT\n$/],
    ['a port out of range', ['--port', '70000'], /^tickvisor exchange-sim: --port must be at most 65535, got 70000\n$/],
    ['a port that is not a number', ['--port', 'http'], /^tickvisor exchange-sim: --port must be a non-negative integer, got http\n$/],
  ];
  for (const [what, args, message] of mistakes) {
    test(`${what} is one line and exit 2`, () => {
      const r = spawnSync(process.execPath, [...ENTRY, ...args], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
    });
  }
});
