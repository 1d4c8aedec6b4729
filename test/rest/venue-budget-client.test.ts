/**
 * The venue budget through the real client and real sockets: a 418 stops every REST call of that
 * venue until the ban ends, other venues go on, and calls resume once it is over.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRestClient } from '../../src/rest/http-client.js';
import { RestError } from '../../src/rest/errors.js';
import type { BanEvent } from '../../src/rest/weight-budget.js';
import { fakeTime } from './fake-time.js';
import { json, startServer, type ScriptedServer, type Step } from './scripted-server.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// the simulator's layout: every venue on one port under /<exchange>/<market>
const SPOT = '/binance/spot/api/v3';
const OKX = '/okx/spot/api/v5';

function setup(steps: Step[], onBan?: (ban: BanEvent) => void) {
  const clock = fakeTime();
  const bans: BanEvent[] = [];
  const arrivals: Array<{ path: string; at: number }> = [];
  const client = createRestClient({
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    requestsPerSecond: Infinity,
    onBan: (ban) => {
      bans.push(ban);
      onBan?.(ban);
    },
  });
  const timed = steps.map((step): Step => (req, res) => {
    arrivals.push({ path: req.url ?? '', at: clock.now() });
    step(req, res);
  });
  const repeat: Step = (req, res) => {
    arrivals.push({ path: req.url ?? '', at: clock.now() });
    json(200, [], { 'X-MBX-USED-WEIGHT-1M': '50' })(req, res);
  };
  return { clock, bans, arrivals, client, start: async () => (server = await startServer(timed, repeat)) };
}

describe('the venue budget in the REST client', { timeout: 30_000 }, () => {
  test('a 418 holds every call of that venue until the ban ends, is reported once, and calls resume after', async () => {
    let listing: Promise<unknown> | undefined;
    const askedAt: number[] = [];
    // the listing asks while the ban is in force: the moment it is reported, before any wait
    const { clock, bans, arrivals, client, start } = setup(
      [json(418, { code: -1003, msg: 'Way too much request weight used; IP banned' }, { 'Retry-After': '120', 'X-MBX-USED-WEIGHT-1M': '6100' })],
      () => {
        askedAt.push(clock.now());
        listing = client(srv.url(`${SPOT}/exchangeInfo`));
      },
    );
    const srv = await start();
    const t0 = clock.now();
    const backfill = client(srv.url(`${SPOT}/historicalTrades?symbol=BTCUSDT&fromId=1`));
    await backfill;
    await listing;
    assert.deepEqual(askedAt, [t0], 'the listing asked inside the ban');
    const spot = arrivals.filter((a) => a.path.startsWith(SPOT));
    assert.equal(spot.length, 3);
    assert.equal(spot[0]!.at, t0);
    for (const later of spot.slice(1)) assert.ok(later.at >= t0 + 120_000, `${later.path} went at +${later.at - t0} ms, inside the ban`);
    assert.equal(bans.length, 1);
    assert.deepEqual({ ...bans[0], url: undefined }, { exchange: 'binance', host: `${new URL(srv.url()).host}/binance/spot`, until: t0 + 120_000, status: 418, url: undefined });
    const [stats] = client.budgetStats();
    assert.equal(stats!.bans, 1);
    assert.equal(stats!.bannedUntil, t0 + 120_000);
  });

  test('a ban longer than maxWaitMs fails every call of the venue at once, without a request; others go on; it resumes when the ban ends', async () => {
    const { clock, bans, arrivals, client, start } = setup([json(418, {}, { 'Retry-After': String(3 * 86_400) })]);
    const srv = await start();
    const t0 = clock.now();
    const banned = (err: unknown) => err instanceof RestError && err.code === 'TV_ERR_REST_BANNED';
    await assert.rejects(client(srv.url(`${SPOT}/historicalTrades?symbol=BTCUSDT`)), banned);
    await assert.rejects(client(srv.url(`${SPOT}/exchangeInfo`)), banned);
    await assert.rejects(client(srv.url(`${SPOT}/aggTrades?symbol=ETHUSDT`)), banned);
    assert.equal(arrivals.length, 1, 'no request reached the banned venue after the 418');
    // another venue (another budget) is not held
    assert.equal((await client(srv.url(`${OKX}/market/history-trades?instId=BTC-USDT`))).status, 200);
    assert.equal(bans.length, 1);
    assert.equal(bans[0]!.until, t0 + 3 * 86_400_000);
    await clock.sleep(3 * 86_400_000);
    assert.equal((await client(srv.url(`${SPOT}/exchangeInfo`))).status, 200);
    assert.equal(arrivals.filter((a) => a.path.startsWith(SPOT)).length, 2);
  });

  test('the weight reported by the venue is booked: after X-MBX-USED-WEIGHT-1M near the limit the next call waits for the minute to turn', async () => {
    const { clock, arrivals, client, start } = setup([json(200, [], { 'X-MBX-USED-WEIGHT-1M': '5999' })]);
    const srv = await start();
    await client(srv.url(`${SPOT}/exchangeInfo`));
    const t1 = clock.now();
    await client(srv.url(`${SPOT}/historicalTrades?symbol=BTCUSDT`));
    const minuteEnd = Math.floor(t1 / 60_000) * 60_000 + 60_000;
    assert.equal(arrivals[1]!.at, minuteEnd);
    const pool = client.budgetStats()[0]!.pools[0]!;
    assert.equal(pool.waits, 1);
    assert.equal(pool.waitSeconds, (minuteEnd - t1) / 1000);
  });
});
