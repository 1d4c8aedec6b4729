/**
 * `npm run bench -- --quick --json` end to end, cut down to the sections issue 13 added (sustained,
 * store) at small counts so it fits a test's time: one JSON object on stdout with every figure a
 * number where it must be, deliveredPct a percentage, and the targets table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const SUSTAINED = 20_000;
const STORE = 20_000;

interface Rate {
  sent: number;
  delivered: number;
  tradesPerSec: number;
  cpuSecPerMillion: number;
  deliveredPct: number;
  peakRssMB: number;
  simCpuPct: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

test('the quick bench reports sustained and store sections and the targets, as JSON', { timeout: 600_000 }, () => {
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/run.ts', '--quick', '--json', '--only=sustained,store', `--sustained-trades=${SUSTAINED}`, `--store-trades=${STORE}`],
    { encoding: 'utf8', timeout: 580_000, maxBuffer: 64 << 20 },
  );
  assert.equal(run.status, 0, `bench exited ${run.status}:\n${run.stderr.slice(-3_000)}`);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'stdout holds exactly the JSON object');
  const out = JSON.parse(lines[0]!) as {
    quick: boolean;
    sustained: Record<'tickvisor' | 'floor' | 'floorLmdb' | 'ccxt', Rate | { error: string }> & { trades: number; ratios: Record<string, unknown> };
    store: {
      trades: number;
      bytesPerTrade: number;
      bytesOnDisk: number;
      writeTradesPerSec: number;
      readTradesPerSec: number;
      readColumnarTradesPerSec: number | null;
      duckdbScanTradesPerSec: number | null;
      notes: string[];
      naive: { bytesPerTrade: number; writeTradesPerSec: number; readTradesPerSec: number } | { error: string };
    };
    targets: Array<{ figure: string; measured: number | null; met: boolean | null; target: string }>;
  };
  assert.equal(out.quick, true);

  assert.equal(out.sustained.trades, SUSTAINED);
  const tv = out.sustained.tickvisor;
  assert.ok(!('error' in tv), `tickvisor sustained failed: ${'error' in tv ? tv.error : ''}`);
  for (const name of ['tickvisor', 'floor', 'floorLmdb', 'ccxt'] as const) {
    const r = out.sustained[name];
    if ('error' in r) continue; // a peer that cannot run is reported, not fatal
    assert.equal(r.sent, SUSTAINED, name);
    for (const k of ['tradesPerSec', 'cpuSecPerMillion', 'peakRssMB', 'simCpuPct'] as const) assert.ok(isNum(r[k]) && r[k] > 0, `${name}.${k} = ${r[k]}`);
    assert.ok(isNum(r.deliveredPct) && r.deliveredPct >= 0 && r.deliveredPct <= 100, `${name}.deliveredPct = ${r.deliveredPct}`);
    // the bench rounds (delivered / sent) × 100 to two places; the last place may differ by float rounding
    assert.ok(Math.abs(r.deliveredPct - (r.delivered / r.sent) * 100) <= 0.005 + 1e-9, `${name}: ${r.deliveredPct}% of ${r.delivered}/${r.sent}`);
  }
  // tickvisor counts at commit and loses nothing on loopback
  assert.equal(tv.deliveredPct, 100);

  const st = out.store;
  assert.equal(st.trades, STORE);
  for (const k of ['bytesPerTrade', 'bytesOnDisk', 'writeTradesPerSec', 'readTradesPerSec'] as const) assert.ok(isNum(st[k]) && st[k] > 0, `store.${k} = ${st[k]}`);
  assert.ok(Math.abs(st.bytesPerTrade - st.bytesOnDisk / st.trades) <= 0.005 + 1e-9, `bytes per trade ${st.bytesPerTrade}`);
  // the store has a columnar read, and the Parquet export feeds DuckDB: both are measured
  assert.ok(isNum(st.readColumnarTradesPerSec) && st.readColumnarTradesPerSec > 0, `columnar ${st.readColumnarTradesPerSec}`);
  assert.ok(isNum(st.duckdbScanTradesPerSec) && st.duckdbScanTradesPerSec > 0, `duckdb ${st.duckdbScanTradesPerSec}`);
  assert.ok(!('error' in st.naive), 'naive layout ran');
  if (!('error' in st.naive)) for (const k of ['bytesPerTrade', 'writeTradesPerSec', 'readTradesPerSec'] as const) assert.ok(isNum(st.naive[k]) && st.naive[k] > 0);

  // issue 13's nine rows, issue 14's book row and issue 15's two cluster rows
  assert.equal(out.targets.length, 12);
  const sustainedRow = out.targets.find((t) => t.figure.startsWith('sustained'))!;
  assert.equal(sustainedRow.measured, tv.tradesPerSec);
  assert.equal(sustainedRow.met, tv.tradesPerSec >= 350_000);
  const bytesRow = out.targets.find((t) => t.figure.startsWith('bytes per trade'))!;
  assert.equal(bytesRow.measured, st.bytesPerTrade);
  assert.equal(bytesRow.met, st.bytesPerTrade <= 12);
  // sections not run are not measured, not "met"
  assert.equal(out.targets.find((t) => t.figure.startsWith('burst trades'))!.met, null);
  assert.match(run.stderr, /^targets/m);
});
