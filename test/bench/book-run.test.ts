/**
 * `npm run bench -- --quick --json --only=book` end to end at a small count: the book section runs
 * tickvisor, ccxt pro and the floor against the simulator's book burst, every figure a number where
 * it must be, tickvisor's and the floor's books all applied and all equal to the true books, the
 * ratio to ccxt pro and the target row in the JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const EVENTS = 40;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

interface BookRun {
  sent: number;
  applied: number;
  levelChanges: number;
  updatesPerSec: number;
  cpuSecPerMillion: number;
  updatesPerCpuSec: number;
  deliveredPct: number;
  mismatched: number;
  simCpuPct: number;
  peakRssMB: number;
  diagnostics: Record<string, unknown>;
}

test('the quick bench reports the book section for tickvisor, ccxt pro and the floor, and the book target', { timeout: 600_000 }, () => {
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/run.ts', '--quick', '--json', '--only=book', `--book-events=${EVENTS}`], {
    encoding: 'utf8',
    timeout: 580_000,
    maxBuffer: 64 << 20,
  });
  assert.equal(run.status, 0, `bench exited ${run.status}:\n${run.stderr.slice(-3_000)}`);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'stdout holds exactly the JSON object');
  const out = JSON.parse(lines[0]!) as {
    book: Record<'tickvisor' | 'ccxt' | 'floor', BookRun | { error: string }> & {
      symbols: number;
      eventsPerSymbol: number;
      ratios: { vsCcxt: { updatesPerCpuSec: number | null }; vsFloor: { updatesPerCpuSec: number | null } };
    };
    targets: Array<{ figure: string; measured: number | null; peer: number | null; met: boolean | null }>;
  };
  assert.equal(out.book.symbols, 50);
  assert.equal(out.book.eventsPerSymbol, EVENTS);
  for (const name of ['tickvisor', 'ccxt', 'floor'] as const) {
    const r = out.book[name];
    if (name === 'ccxt' && 'error' in r) continue; // a peer that cannot run is reported, not fatal
    assert.ok(!('error' in r), `${name} failed: ${'error' in r ? r.error : ''}`);
    assert.equal(r.sent, 50 * EVENTS, name);
    assert.ok(r.levelChanges >= r.sent, `${name}.levelChanges = ${r.levelChanges}`);
    for (const k of ['updatesPerSec', 'cpuSecPerMillion', 'updatesPerCpuSec', 'peakRssMB'] as const) assert.ok(isNum(r[k]) && r[k] > 0, `${name}.${k} = ${r[k]}`);
    assert.ok(isNum(r.simCpuPct), `${name}.simCpuPct`);
    assert.ok(isNum(r.mismatched), `${name}.mismatched`);
    assert.equal(typeof r.diagnostics, 'object');
    if (name === 'ccxt') continue;
    // no fault in the feed: a correct client applies every update and ends with the true books
    assert.equal(r.applied, r.sent, `${name} applied`);
    assert.equal(r.deliveredPct, 100, name);
    assert.equal(r.mismatched, 0, `${name} mismatched`);
  }
  const tv = out.book.tickvisor as BookRun;
  assert.ok(isNum(out.book.ratios.vsFloor.updatesPerCpuSec));
  const bookRow = out.targets.find((t) => t.figure.startsWith('book updates per CPU-s'));
  assert.ok(bookRow, 'the book target row');
  assert.equal(bookRow.measured, tv.updatesPerCpuSec);
  if (!('error' in out.book.ccxt)) {
    assert.ok(isNum(out.book.ratios.vsCcxt.updatesPerCpuSec));
    assert.equal(bookRow.peer, out.book.ccxt.updatesPerCpuSec);
    assert.equal(typeof bookRow.met, 'boolean');
  }
});
