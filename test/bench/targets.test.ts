/** The bench's targets table: each figure against the target, met / not met / not measured. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { targets, targetTable, type RateFigures, type TargetInputs, type TargetRow } from '../../bench/targets.js';

const rate = (tradesPerSec: number, cpuSecPerMillion: number, deliveredPct = 100): RateFigures => ({ tradesPerSec, cpuSecPerMillion, deliveredPct });
const row = (rows: TargetRow[], prefix: string): TargetRow => {
  const r = rows.find((x) => x.figure.startsWith(prefix));
  assert.ok(r, `no row ${prefix}`);
  return r;
};

const full: TargetInputs = {
  burst: rate(450_000, 3.0),
  floorBurst: rate(500_000, 2.0),
  sustained: rate(360_000, 3.1),
  floorSustained: rate(480_000, 2.0),
  store: {
    trades: 1_000_000,
    bytesPerTrade: 11.5,
    readTradesPerSec: 6_000_000,
    readColumnarTradesPerSec: 40_000_000,
    duckdbScanTradesPerSec: null,
    naive: { bytesPerTrade: 230, readTradesPerSec: 900_000 },
  },
  scale: { '1': { rssMB: 100 }, '5000': { rssMB: 149 } },
  latency: { '10000': { p99Ms: 9 }, '50000': { p99Ms: 21 } },
  book: { updatesPerCpuSec: 190_000, mismatched: 0 },
  ccxtBook: { updatesPerCpuSec: 60_000, mismatched: 0 },
  cluster: { tradesPerSec: 160_000, deliveredPct: 100, p99Ms: 240, pacedRate: 50_000 },
};

describe('bench targets', () => {
  test('every figure within its target is met, one beyond it is not, with the peer beside it', () => {
    const rows = targets(full);
    assert.equal(rows.length, 12);
    assert.equal(row(rows, 'burst CPU').met, true); // 3.0 ≤ 1.7 × 2.0
    assert.equal(row(rows, 'burst CPU').peer, 2);
    assert.match(row(rows, 'burst CPU').target, /3\.4/);
    assert.equal(row(rows, 'burst trades').met, true);
    assert.equal(row(rows, 'sustained').met, true);
    assert.equal(row(rows, 'sustained').peer, 480_000);
    assert.equal(row(rows, 'bytes').met, true);
    assert.equal(row(rows, 'bytes').peer, 230);
    assert.match(row(rows, 'bytes').figure, /1,000,000 trades/);
    assert.equal(row(rows, 'history read').met, true);
    assert.equal(row(rows, 'columnar').met, true);
    assert.equal(row(rows, 'columnar').peer, null); // the DuckDB slot is empty
    assert.equal(row(rows, 'RSS').met, true);
    assert.equal(row(rows, 'p99 exchange → commit at 10k').met, true);
    assert.equal(row(rows, 'p99 exchange → commit at 50k').met, false);
    assert.equal(row(rows, 'book updates').met, true); // 190k ≥ 3 × 60k
    assert.equal(row(rows, 'book updates').peer, 60_000);
    assert.equal(row(rows, 'book updates').peerName, 'ccxt pro');
    assert.match(row(rows, 'book updates').target, /≥ 3 × ccxt pro \(180,000\)/);
    assert.equal(row(rows, 'cluster archived').met, true);
    assert.equal(row(rows, 'cluster archived').measured, 160_000);
    // the single-process burst of the same run stands beside it
    assert.equal(row(rows, 'cluster archived').peer, 450_000);
    assert.equal(row(rows, 'cluster archived').peerName, 'single process');
    assert.equal(row(rows, 'cluster p99').met, true);
    assert.equal(row(rows, 'cluster p99').measured, 240);
    assert.match(row(rows, 'cluster p99').figure, /at 50,000\/s/);
  });

  test('the cluster rows: 150k archived with every trade, p99 at most 250 ms', () => {
    const c = (tradesPerSec: number, deliveredPct: number, p99Ms: number) => ({ cluster: { tradesPerSec, deliveredPct, p99Ms, pacedRate: 50_000 } });
    assert.equal(row(targets(c(149_999, 100, 240)), 'cluster archived').met, false);
    assert.equal(row(targets(c(400_000, 99.9, 240)), 'cluster archived').met, false);
    assert.equal(row(targets(c(150_000, 100, 250)), 'cluster p99').met, true);
    assert.equal(row(targets(c(150_000, 100, 251)), 'cluster p99').met, false);
    // no nats-server: the section reports an error, and neither row is measured
    const missing = targets({ cluster: { error: 'nats-server is not installed' } });
    assert.equal(row(missing, 'cluster archived').met, null);
    assert.equal(row(missing, 'cluster p99').measured, null);
  });

  test('the book target is relative to ccxt pro in the same run, and wrong books do not count', () => {
    assert.equal(row(targets({ ...full, ccxtBook: { updatesPerCpuSec: 70_000, mismatched: 0 } }), 'book updates').met, false); // 190k < 210k
    assert.equal(row(targets({ ...full, book: { updatesPerCpuSec: 900_000, mismatched: 1 } }), 'book updates').met, false);
    assert.equal(row(targets({ ...full, ccxtBook: { error: 'ccxt: exited' } }), 'book updates').met, null);
    assert.equal(row(targets({ ...full, book: undefined }), 'book updates').measured, null);
  });

  test('the CPU target is relative to the floor measured in the same run', () => {
    assert.equal(row(targets({ ...full, floorBurst: rate(500_000, 1.7) }), 'burst CPU').met, false); // 3.0 > 2.89
    assert.equal(row(targets({ ...full, floorBurst: undefined }), 'burst CPU').met, null);
  });

  test('the latency rows show the floor client measured in the same run as their peer', () => {
    const rows = targets({ ...full, latency: { '10000': { p99Ms: 12, floor: { p99Ms: 8 } }, '50000': { p99Ms: 30, floor: { error: 'floor-lmdb: exited' } } } });
    assert.equal(row(rows, 'p99 exchange → commit at 10k').peer, 8);
    assert.equal(row(rows, 'p99 exchange → commit at 10k').met, false);
    assert.equal(row(rows, 'p99 exchange → commit at 50k').peer, null);
  });

  test('a rate with trades lost is not met, however fast', () => {
    const rows = targets({ ...full, burst: rate(900_000, 1, 99.5), sustained: rate(900_000, 1, 97) });
    assert.equal(row(rows, 'burst trades').met, false);
    assert.equal(row(rows, 'sustained').met, false);
    assert.equal(row(targets({ ...full, sustained: rate(340_000, 1) }), 'sustained').met, false);
  });

  test('a section skipped, failed or without the figure is not measured rather than met or not', () => {
    const rows = targets({
      burst: { error: 'tickvisor: exited' },
      store: { ...full.store as Exclude<TargetInputs['store'], undefined | { error: string }>, readColumnarTradesPerSec: null, naive: { error: 'x' } },
      scale: { '1': { rssMB: 90 } },
      latency: { '10000': { error: 'timeout' } },
    });
    for (const prefix of ['burst CPU', 'burst trades', 'sustained', 'columnar', 'RSS', 'p99 exchange → commit at 10k', 'p99 exchange → commit at 50k', 'book updates', 'cluster archived', 'cluster p99']) {
      assert.equal(row(rows, prefix).met, null, prefix);
      assert.equal(row(rows, prefix).measured, null, prefix);
    }
    assert.equal(row(rows, 'bytes').met, true);
    assert.equal(row(rows, 'bytes').peer, null);
    assert.equal(targets({}).every((r) => r.met === null), true);
  });

  test('the printed table has a header and one aligned line per target saying met, NOT met or not measured', () => {
    const lines = targetTable(targets({ ...full, latency: undefined }));
    assert.equal(lines.length, 13);
    assert.match(lines[0]!, /^figure\s+measured\s+peer\s+target/);
    const col = lines[0]!.indexOf('measured');
    // every measured cell starts where the header's does
    for (const l of lines.slice(1)) {
      assert.equal(l[col - 1], ' ', l);
      assert.notEqual(l[col], ' ', l);
    }
    assert.match(lines.find((l) => l.startsWith('burst CPU'))!, /3\s.*2 \(floor\).*≤ 1\.7 × floor \(3\.4\)\s+met$/);
    assert.match(lines.find((l) => l.startsWith('p99 exchange → commit at 10k'))!, /not measured$/);
    assert.match(targetTable(targets({ ...full, floorBurst: rate(1, 1) })).find((l) => l.startsWith('burst CPU'))!, /NOT met$/);
  });
});
