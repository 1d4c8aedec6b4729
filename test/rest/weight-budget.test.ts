import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { venueProfileOf } from '../../src/rest/venue-limits.js';
import { createWeightBudget, type BanEvent, type WeightBudgetOptions } from '../../src/rest/weight-budget.js';
import { fakeTime } from './fake-time.js';

// a minute boundary, so Binance's aligned windows are easy to read
const T0 = 1_700_000_040_000;

const profile = (url: string) => {
  const p = venueProfileOf(new URL(url));
  assert.ok(p, `no venue for ${url}`);
  return p;
};
const BINANCE_PAGE = 'https://api.binance.com/api/v3/historicalTrades?symbol=BTCUSDT&fromId=1&limit=1000';

/**
 * A fake clock whose sleeps end in a later macrotask, so whatever a released waiter does next
 * (send its request, here: note the time) happens before the clock moves on.
 */
function steppingClock(start: number) {
  let t = start;
  return {
    now: () => t,
    sleep: (ms: number) =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          t += ms;
          resolve();
        }),
      ),
  };
}

function setup(extra: Partial<WeightBudgetOptions> = {}) {
  const clock = fakeTime(T0);
  const budget = createWeightBudget({ now: clock.now, sleep: clock.sleep, ...extra });
  return { clock, budget };
}

describe('venueProfileOf', () => {
  test('recognises each venue by its API root, with the weight of the endpoint', () => {
    assert.deepEqual(
      [BINANCE_PAGE, 'https://api.binance.com/api/v3/exchangeInfo', 'https://api.binance.com/api/v3/aggTrades?symbol=X', 'https://fapi.binance.com/fapi/v1/aggTrades?symbol=X'].map((u) => {
        const p = profile(u);
        return [p.exchange, p.key, p.pool, p.weight];
      }),
      [
        ['binance', 'api.binance.com', 'weight', 25],
        ['binance', 'api.binance.com', 'weight', 20],
        ['binance', 'api.binance.com', 'weight', 4],
        ['binance', 'fapi.binance.com', 'weight', 20],
      ],
    );
    assert.equal(profile('https://www.okx.com/api/v5/market/history-trades?instId=BTC-USDT').pool, 'market/history-trades');
    assert.equal(profile('https://api.bybit.com/v5/market/recent-trade?category=spot').exchange, 'bybit');
    assert.equal(profile('https://api.upbit.com/v1/trades/ticks?market=KRW-BTC').pool, 'trade');
    assert.equal(profile('https://api.upbit.com/v1/market/all').pool, 'market');
    assert.equal(venueProfileOf(new URL('https://example.com/api')), undefined);
  });

  test('the simulator serves every venue on one port: its path prefix keeps their budgets apart', () => {
    assert.equal(profile('http://127.0.0.1:4000/binance/spot/api/v3/aggTrades').key, '127.0.0.1:4000/binance/spot');
    assert.equal(profile('http://127.0.0.1:4000/bybit/futures/v5/market/recent-trade').key, '127.0.0.1:4000/bybit/futures');
    // on the real venue spot and linear share one IP limit
    assert.equal(profile('https://api.bybit.com/v5/market/recent-trade?category=linear').key, profile('https://api.bybit.com/v5/market/instruments-info').key);
  });
});

describe('createWeightBudget', () => {
  test('spends each request\'s weight; the request that does not fit waits until the oldest spend leaves the window', async () => {
    const { clock, budget } = setup({ share: 1 });
    const page = profile(BINANCE_PAGE); // weight 25 of 6000 a minute: 240 fit
    for (let i = 0; i < 240; i++) assert.equal(await budget.acquire(page), 0);
    assert.deepEqual(clock.sleeps, []);
    assert.equal(await budget.acquire(page), 60_000);
    const [stats] = budget.stats();
    assert.equal(stats!.pools[0]!.used, 25); // the first 240 left the window together, the 241st came in
    assert.equal(stats!.pools[0]!.waits, 1);
    assert.equal(stats!.pools[0]!.waitSeconds, 60);
    assert.equal(stats!.pools[0]!.requests, 241);
  });

  test('a mass reconnect: 1,000 backfill pages of weight 25 on Binance spot never pass 6000 in any minute', async () => {
    const clock = steppingClock(T0);
    const budget = createWeightBudget({ now: clock.now, sleep: clock.sleep });
    const page = profile(BINANCE_PAGE);
    const sentAt: number[] = [];
    await Promise.all(Array.from({ length: 1000 }, () => budget.acquire(page).then(() => sentAt.push(clock.now()))));
    assert.equal(sentAt.length, 1000);
    // as Binance counts: per clock minute
    const perMinute = new Map<number, number>();
    for (const t of sentAt) perMinute.set(Math.floor(t / 60_000), (perMinute.get(Math.floor(t / 60_000)) ?? 0) + 25);
    assert.ok(Math.max(...perMinute.values()) <= 6000, `a clock minute held ${Math.max(...perMinute.values())}`);
    // and in any rolling minute, whatever the venue's clock
    sentAt.sort((a, b) => a - b);
    for (let i = 0, j = 0; i < sentAt.length; i++) {
      while (sentAt[j]! <= sentAt[i]! - 60_000) j++;
      assert.ok((i - j + 1) * 25 <= 6000, `${(i - j + 1) * 25} weight in the minute ending ${sentAt[i]}`);
    }
    // not starved either: 90 % of 6000 a minute takes 1000 × 25 in under 5 minutes
    assert.ok(sentAt[999]! - T0 < 5 * 60_000, `took ${sentAt[999]! - T0} ms`);
    assert.ok(sentAt[999]! - T0 >= 4 * 60_000, `took only ${sentAt[999]! - T0} ms`);
  });

  test('Binance\'s X-MBX-USED-WEIGHT-1M corrects the budget upwards until its minute ends', async () => {
    const { clock, budget } = setup({ share: 1 });
    const page = profile(BINANCE_PAGE);
    await budget.acquire(page);
    await budget.acquire(page);
    // a lower figure never gives back what we counted
    budget.observe(page, { 'x-mbx-used-weight-1m': '25' });
    assert.equal(budget.stats()[0]!.pools[0]!.used, 50);
    await clock.sleep(10_000);
    // someone else on the IP used most of this minute
    budget.observe(page, { 'x-mbx-used-weight-1m': '5990' });
    assert.equal(budget.stats()[0]!.pools[0]!.used, 5990);
    assert.equal(budget.stats()[0]!.pools[0]!.corrections, 1);
    assert.equal(await budget.acquire(page), 50_000); // until the clock minute turns, not 60 s on
  });

  test('unreadable accounting headers are ignored', async () => {
    const { budget } = setup();
    const page = profile(BINANCE_PAGE);
    await budget.acquire(page);
    for (const v of ['-5', 'lots', '1e9', '']) budget.observe(page, { 'x-mbx-used-weight-1m': v });
    assert.equal(budget.stats()[0]!.pools[0]!.used, 25);
  });

  test('Bybit\'s X-Bapi-Limit / X-Bapi-Limit-Status and Upbit\'s Remaining-Req correct their pools', async () => {
    const { budget } = setup({ share: 1 });
    const bybit = profile('https://api.bybit.com/v5/market/recent-trade?category=spot&symbol=BTCUSDT');
    await budget.acquire(bybit);
    budget.observe(bybit, { 'x-bapi-limit': '600', 'x-bapi-limit-status': '5', 'x-bapi-limit-reset-timestamp': String(T0) });
    for (let i = 0; i < 5; i++) assert.equal(await budget.acquire(bybit), 0);
    assert.ok((await budget.acquire(bybit)) > 0);

    const ticks = profile('https://api.upbit.com/v1/trades/ticks?market=KRW-BTC');
    const listing = profile('https://api.upbit.com/v1/market/all');
    await budget.acquire(ticks);
    budget.observe(ticks, { 'remaining-req': 'group=trades; min=1800; sec=0' });
    assert.equal(await budget.acquire(listing), 0, 'another group is not held');
    assert.ok((await budget.acquire(ticks)) > 0, 'the exhausted group waits for the next second');
  });

  test('OKX sends no accounting: each endpoint is paced by its own documented limit', async () => {
    const { clock, budget } = setup();
    const history = profile('https://www.okx.com/api/v5/market/history-trades?instId=BTC-USDT&type=1');
    const instruments = profile('https://www.okx.com/api/v5/public/instruments?instType=SPOT');
    for (let i = 0; i < 18; i++) assert.equal(await budget.acquire(history), 0); // 90 % of 20 per 2 s
    assert.equal(await budget.acquire(instruments), 0);
    assert.equal(await budget.acquire(history), 2_000);
    assert.deepEqual(clock.sleeps, [2_000]);
  });

  test('a block of the venue (429, ban) holds every waiter until it ends', async () => {
    let blockedUntil = T0 + 120_000;
    const { clock, budget } = setup({ blockedMs: () => Math.max(0, blockedUntil - clock.now()) });
    const page = profile(BINANCE_PAGE);
    const listing = profile('https://api.binance.com/api/v3/exchangeInfo');
    const times: number[] = [];
    await Promise.all([budget.acquire(page), budget.acquire(listing), budget.acquire(page)].map((p) => p.then(() => times.push(clock.now()))));
    assert.deepEqual(times, [T0 + 120_000, T0 + 120_000, T0 + 120_000]);
    blockedUntil = 0;
    assert.equal(await budget.acquire(page), 0);
  });

  test('a ban is counted and reported once, with its end; not again while it lasts', async () => {
    const bans: BanEvent[] = [];
    const { clock, budget } = setup({ onBan: (b) => bans.push(b) });
    const page = profile(BINANCE_PAGE);
    budget.noteBlock(page, T0 + 120_000, 'banned', 418, BINANCE_PAGE);
    budget.noteBlock(page, T0 + 180_000, 'banned', 418, BINANCE_PAGE); // a request in flight met it too
    budget.noteBlock(page, T0 + 1_000, 'rate-limited', 429, BINANCE_PAGE);
    assert.deepEqual(bans, [{ exchange: 'binance', host: 'api.binance.com', until: T0 + 120_000, status: 418, url: BINANCE_PAGE }]);
    const [stats] = budget.stats();
    assert.equal(stats!.bans, 1);
    assert.equal(stats!.bannedUntil, T0 + 180_000);
    assert.equal(stats!.rateLimited, 1);
    await clock.sleep(200_000);
    budget.noteBlock(page, clock.now() + 120_000, 'banned', 418, BINANCE_PAGE);
    assert.equal(bans.length, 2, 'a later ban is a new one');
  });

  test('a closed client releases every waiter at once instead of spinning on sleeps that return early', async () => {
    let closed = false;
    const { budget } = setup({ share: 1, closed: () => closed, sleep: async () => void (closed = true) });
    const page = profile(BINANCE_PAGE);
    for (let i = 0; i < 240; i++) await budget.acquire(page);
    const waiting = Array.from({ length: 5 }, () => budget.acquire(page));
    await Promise.all(waiting);
    assert.equal(budget.stats()[0]!.pools[0]!.requests, 240, 'nothing more was booked');
  });
});

/** a clock whose sleeps end only when the test moves it */
function heldClock(start: number) {
  let t = start;
  const timers: { at: number; resolve: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: t + ms, resolve })),
    advance(ms: number) {
      t += ms;
      for (const timer of timers.splice(0)) {
        if (timer.at <= t) timer.resolve();
        else timers.push(timer);
      }
    },
  };
}
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createWeightBudget after a restart: the first answer first', () => {
  test('the second request waits for the first answer, which tells what an earlier life spent this minute', async () => {
    const clock = heldClock(T0);
    const budget = createWeightBudget({ now: clock.now, sleep: clock.sleep, firstAnswerWaitMs: 3_000 });
    const page = profile(BINANCE_PAGE);
    assert.equal(await budget.acquire(page), 0, 'the first goes at once');
    let second: number | undefined;
    void budget.acquire(page).then((w) => (second = w));
    await turn();
    assert.equal(second, undefined, 'held until the venue has answered once');
    // the answer: 5,500 of the minute's 6,000 spent (a process that died a moment ago)
    budget.observe(page, { 'x-mbx-used-weight-1m': '5500' });
    await turn();
    assert.equal(second, undefined, 'no room left in 90 % of the minute: it waits for the minute to turn');
    clock.advance(60_000);
    await turn();
    await turn();
    assert.equal(second, 60_000);
  });

  test('without an answer (the request failed) the rest go after firstAnswerWaitMs; a venue without accounting is not held', async () => {
    const clock = heldClock(T0);
    const budget = createWeightBudget({ now: clock.now, sleep: clock.sleep, firstAnswerWaitMs: 3_000 });
    const page = profile(BINANCE_PAGE);
    await budget.acquire(page);
    let second: number | undefined;
    void budget.acquire(page).then((w) => (second = w));
    await turn();
    clock.advance(2_999);
    await turn();
    assert.equal(second, undefined);
    clock.advance(1);
    await turn();
    await turn();
    assert.equal(second, 3_000);
    // OKX sends no accounting: nothing to learn, nothing held
    const okx = profile('https://www.okx.com/api/v5/market/history-trades?instId=BTC-USDT');
    assert.deepEqual(await Promise.all([budget.acquire(okx), budget.acquire(okx)]), [0, 0]);
  });
});
