/**
 * The status page in a real headless Chromium over a real small system: two simulated exchanges,
 * the embedded simulator, LMDB in a temp dir. A server restart injected into one exchange must
 * show on the page as its connector leaving Connected and coming back.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveTickvisor } from '../../src/http/serve-tickvisor.js';
import { createTickvisor } from '../../src/compose/tickvisor.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (Debian package \`chromium\`): browser test skipped`;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('status page in a browser', () => {
  test('shows the live tree and a connector leaving Connected and returning after a server restart', { skip, timeout: 90_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickvisor-page-'));
    const tv = createTickvisor({
      exchanges: [
        { exchange: 'binance', market: 'spot', simulated: true, groupSize: 2, sim: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } },
        // the REST audit scaled down so its figures show within the test
        { exchange: 'upbit', market: 'spot', simulated: true, groupSize: 2, sim: { symbols: ['BTC/KRW', 'ETH/KRW'] }, audit: { intervalMs: 200, settleMs: 300 } },
      ],
      store: { path: dir },
      log: { level: 'silent' },
    });
    await tv.start();
    const http = await serveTickvisor(tv, { port: 0 });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(http.url);
      const connector0 = '.connector[data-id="connector:binance:spot:0"]';
      // the tree: both collectors, their connectors (3 symbols in groups of 2 → 2 connectors), every coin
      await page.waitForSelector('section.collector[data-id="collector:binance:spot"][data-state="Running"]', { timeout: 15_000 });
      await page.waitForSelector('section.collector[data-id="collector:upbit:spot"]');
      await page.waitForSelector(`${connector0}[data-state="Connected"]`, { timeout: 15_000 });
      await page.waitForSelector('.coin[data-id="coin:upbit:spot:ETH/KRW"][data-state="Subscribed"]', { timeout: 15_000 });
      assert.equal(await page.locator('section.collector[data-id="collector:binance:spot"] .connector').count(), 2);
      assert.equal(await page.locator('.coin').count(), 5);
      assert.equal(await page.locator('#conn').textContent(), 'live', 'updates arrive over server-sent events');
      // records flow: the page shows a rate and stored count from the summary
      // (a selector, not a string predicate: the page's CSP forbids evaluating strings, so a
      // predicate not true at its first, privileged evaluation would fail instead of waiting)
      await page.waitForSelector('#f-stored b:text-matches("^[1-9]")', { timeout: 15_000 });

      // the audit's completeness: on the audited venue only
      await page.waitForSelector('section.collector[data-id="collector:upbit:spot"] .head .audit:text-matches("audited [1-9][0-9]* windows")', { timeout: 15_000 });
      assert.match((await page.locator('section.collector[data-id="collector:upbit:spot"] .head .audit').textContent()) ?? '', /\d+ found missing, \d+ filled/);
      assert.equal(await page.locator('section.collector[data-id="collector:binance:spot"] .head .audit').textContent(), '', 'Binance (dense ids) is not audited');
      assert.match((await page.getAttribute('.coin[data-id="coin:upbit:spot:BTC/KRW"]', 'title')) ?? '', /audited \d+ windows/);

      tv.sim!.inject({ kind: 'server-restart', exchange: 'binance', market: 'spot', durationMs: 3_000 });
      await page.waitForSelector(`${connector0}:not([data-state="Connected"])`, { timeout: 10_000 });
      const during = await page.getAttribute(connector0, 'data-state');
      assert.ok(during && during !== 'Connected', `left Connected (now ${during})`);
      // the unaffected exchange stays connected meanwhile
      assert.equal(await page.getAttribute('.connector[data-id="connector:upbit:spot:0"]', 'data-state'), 'Connected');
      await page.waitForSelector(`${connector0}[data-state="Connected"]`, { timeout: 40_000 });
      const recov = await page.locator(`${connector0} .counts`).textContent();
      assert.match(recov ?? '', /recov [1-9]\d*\/[1-9]/, 'the recovery is counted on the page');
    } finally {
      await browser.close();
      await http.close();
      await tv.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
