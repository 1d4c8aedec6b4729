/**
 * The gap filler with every venue's real adapter against the simulator's REST history, through
 * pages that lie the way the `rest-partial` and `rest-empty` faults make them lie: short or empty
 * although the trades exist. A lie must never close a window: it stays open, is asked again after
 * a backoff (on the simulated clock), and ends filled with every missed trade once the pages heal,
 * or counted unfilled when they never do. The simulator runs in manual mode on a held clock.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdapter, SUPPORTED_VENUES, type RestClient } from '../../src/exchanges/index.js';
import { createRestClient } from '../../src/rest/index.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { GapFiller } from '../../src/ingest/gap-filler.js';
import type { GapWindow } from '../../src/ingest/gap-tracker.js';
import { jumpingClock } from '../ingest/helpers.js';
import type { Instrument } from '../../src/exchanges/types.js';
import type { Trade } from '../../src/records.js';
import { lyingPages, type PageLie } from '../exchanges/support/lying-pages.js';

const symbolOf = (exchange: string, market: string) => (exchange === 'upbit' ? 'ETH/KRW' : market === 'futures' ? 'ETH/USDT:USDT' : 'ETH/USDT');

describe('gap filler against REST pages that lie, on every venue', () => {
  let sim: SimExchange;
  let now = Date.now();
  let http: RestClient;
  before(async () => {
    sim = await startSimExchange({
      mode: 'manual',
      now: () => now,
      seed: 5,
      venues: SUPPORTED_VENUES.map(({ exchange, market }) => ({
        exchange, market, symbols: [{ symbol: symbolOf(exchange, market), tradesPerSecond: 40, tickersPerSecond: 0 }],
      })),
    });
    // no pacing: the filler's backoff runs on the simulated clock, the REST calls need no real wait
    http = createRestClient({ maxRetries: 0, requestsPerSecond: 10_000 });
    for (let i = 0; i < 100; i++) {
      sim.advance(100);
      now += 100;
    }
  });
  after(async () => sim?.stop());

  /** a window that lost the 30 trades between two the live stream held, inside every venue's REST reach */
  async function setup(exchange: (typeof SUPPORTED_VENUES)[number]['exchange'], market: (typeof SUPPORTED_VENUES)[number]['market'], plan: PageLie[]) {
    const adapter = createAdapter(exchange, market, sim.endpoints(exchange, market));
    const instrument = (await adapter.listInstruments(http)).find((i) => i.symbol === symbolOf(exchange, market)) as Instrument;
    const truth = sim.groundTruth({ exchange, market });
    const held = truth[truth.length - 45]!;
    const closing = truth[truth.length - 14]!;
    const lost = truth.slice(truth.length - 44, truth.length - 14).map((t) => t.id);
    const window: GapWindow = { symbol: instrument.symbol, afterId: held.id, from: held.timestamp, to: closing.timestamp, untilId: closing.id, reason: 'reconnect' };
    const lying = lyingPages(http, plan);
    const pushed: Trade[] = [];
    const warnings: string[] = [];
    const clock = jumpingClock(now);
    const sleeps = clock.waits;
    const filler = new GapFiller({
      adapter,
      rest: lying.http,
      restUrl: sim.endpoints(exchange, market).restUrl,
      instrument: () => instrument,
      push: (records) => pushed.push(...(records as Trade[])),
      log: { warn: (_o, msg) => warnings.push(msg), info: () => undefined },
      clock,
      maxAttempts: 4,
    });
    return { filler, window, lost, pushed, warnings, sleeps, lies: lying.lies };
  }

  for (const { exchange, market } of SUPPORTED_VENUES) {
    test(`${exchange} ${market}: empty, then short pages; the window stays open and heals, every lost trade back once`, async () => {
      // Bybit has no paging: one request per try, so fewer lies fit into the four tries
      const plan: PageLie[] = exchange === 'bybit' ? ['empty', 2] : ['empty', 2, 2, 2, 'empty'];
      const f = await setup(exchange, market, plan);
      f.filler.add([f.window]);
      await f.filler.whenIdle();
      assert.ok(f.lies() >= 2, `${f.lies()} lies told`);
      assert.equal(f.filler.counters.filled, 1, 'filled once the pages told the truth');
      assert.equal(f.filler.counters.unfilled, 0);
      assert.ok(f.sleeps.length >= 1 && f.sleeps.every((ms) => ms >= 1_000), `backed off: ${f.sleeps.join(', ')}`);
      const ids = f.pushed.map((t) => t.id);
      for (const id of f.lost) assert.ok(ids.includes(id), `${id} backfilled`);
      assert.equal(new Set(ids).size, ids.length, 'nothing pushed twice');
    });

    test(`${exchange} ${market}: pages that never stop lying: bounded tries, then unfilled, logged once`, async () => {
      const f = await setup(exchange, market, Array.from({ length: 40 }, () => 'empty' as const));
      f.filler.add([f.window]);
      await f.filler.whenIdle();
      assert.equal(f.filler.counters.filled, 0);
      assert.equal(f.filler.counters.unfilled, 1);
      assert.equal(f.warnings.filter((w) => w.startsWith('gap not filled')).length, 1);
      assert.deepEqual(f.sleeps, [1_000, 2_000, 4_000]);
    });
  }
});
