/**
 * /metrics scraped by a real Prometheus server (Debian's `prometheus`), not only linted: a small
 * live system (two simulated exchanges, one with books, LMDB in a temp dir) served on a free port,
 * Prometheus scraping it every second, and its query API asked what it ingested. What a user's
 * Prometheus would show: the target up with no scrape error, tickvisor's own series with their
 * labels, and counters that PromQL's rate() reads as moving.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COIN_STATE_CODES } from '../../machines/coin.js';
import { COLLECTOR_STATE_CODES } from '../../machines/collector.js';
import { createTickvisor } from '../../src/compose/tickvisor.js';
import { serveTickvisor } from '../../src/http/serve-tickvisor.js';
import { sparePort } from '../spare-port.js';

const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
const skip = probe.error ? 'prometheus not on PATH (Debian package `prometheus`): real scrape skipped' : false;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  assert.equal(body.status, 'success', `${path}: ${body.error ?? res.status}`);
  return body.data;
}

const query = (base: string, q: string) => api<{ result: Sample[] }>(base, `/api/v1/query?query=${encodeURIComponent(q)}`).then((d) => d.result);

/** polls `check` until it returns a value (not undefined) or `ms` pass: Prometheus works on its own schedule */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a real Prometheus scrapes /metrics', () => {
  test('target up with no scrape error; tickvisor series with their labels; counters rate() sees moving', { skip, timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickvisor-prom-'));
    const tv = createTickvisor({
      exchanges: [
        { exchange: 'binance', market: 'spot', simulated: true, groupSize: 2, sim: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } },
        { exchange: 'okx', market: 'spot', simulated: true, channels: ['trade', 'book'], sim: { symbols: ['BTC/USDT'] } },
      ],
      store: { path: join(dir, 'data') },
      log: { level: 'silent' },
    });
    let prometheus: ChildProcess | undefined;
    await tv.start();
    const http = await serveTickvisor(tv, { port: 0 });
    try {
      const target = new URL(http.url).host;
      const port = await sparePort();
      await writeFile(
        join(dir, 'prometheus.yml'),
        `global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: tickvisor\n    static_configs: [{ targets: ['${target}'] }]\n`,
      );
      prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      prometheus.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
      const base = `http://127.0.0.1:${port}`;

      // the target: scraped, healthy, no error (a malformed exposition or a wrong content type shows here)
      const scraped = await eventually('a successful scrape', async () => {
        const data = await api<{ activeTargets: Array<{ health: string; lastError: string; scrapeUrl: string; labels: Record<string, string> }> }>(base, '/api/v1/targets');
        const t = data.activeTargets.find((a) => a.labels.job === 'tickvisor');
        return t && t.health !== 'unknown' ? t : undefined;
      }).catch((e: Error) => assert.fail(`${e.message}\nprometheus log:\n${log}`));
      assert.equal(scraped.lastError, '', `scrape error: ${scraped.lastError}`);
      assert.equal(scraped.health, 'up');
      assert.equal(scraped.scrapeUrl, `http://${target}/metrics`);

      // the supervision tree as series: each state a gauge of its state's code (the HELP text lists them)
      const running = await eventually('both collectors Running in Prometheus', async () => {
        const r = await query(base, `tickvisor_collector_state == ${COLLECTOR_STATE_CODES.Running}`);
        return r.length === 2 ? r : undefined;
      });
      assert.deepEqual(running.map((s) => `${s.metric.exchange}:${s.metric.market}`).sort(), ['binance:spot', 'okx:spot']);
      const coins = await eventually('every coin Subscribed', async () => {
        const r = await query(base, `tickvisor_coin_state == ${COIN_STATE_CODES.Subscribed}`);
        return r.length === 4 ? r : undefined;
      });
      assert.ok(coins.every((s) => s.metric.symbol && s.metric.exchange && s.metric.market), 'each coin series names its symbol, exchange and market');

      // counters move: rate() over a few scrapes is positive (records arriving), and the book is on it
      const rate = await eventually('a positive receive rate', async () => {
        const r = await query(base, 'sum(rate(tickvisor_coin_records_received_total[5s]))');
        const v = Number(r[0]?.value[1]);
        return v > 0 ? v : undefined;
      });
      assert.ok(Number.isFinite(rate));
      const books = await eventually('the OKX book as a series', async () => {
        const r = await query(base, 'tickvisor_book_levels{exchange="okx"}');
        return r.length > 0 ? r : undefined;
      });
      assert.ok(books.some((s) => Number(s.value[1]) > 0), 'the book has levels');

      // nothing Prometheus had to drop or could not read: every sample of the last scrape ingested
      const [samples] = await query(base, 'scrape_samples_scraped{job="tickvisor"}');
      const [added] = await query(base, 'scrape_samples_post_metric_relabeling{job="tickvisor"}');
      assert.ok(Number(samples?.value[1]) > 0);
      assert.equal(samples?.value[1], added?.value[1]);
    } finally {
      prometheus?.kill('SIGTERM');
      await http.close();
      await tv.stop();
      if (prometheus && prometheus.exitCode === null) await new Promise((r) => prometheus!.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
