import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

describe('examples/embed.ts', () => {
  test('runs as documented: starts, streams records, reads cache and history, stops, exits 0', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/embed.ts'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /BTC\/USDT last trade \d+(\.\d+)? \((buy|sell)\), ticker last \d/);
    assert.match(r.stdout, /symbols in the cache: .*binance:spot:BTC\/USDT/);
    assert.match(r.stdout, /tree: collector:binance:spot Running, collector:okx:futures Running/);
    const stored = Number(/stored BTC\/USDT trades: (\d+)/.exec(r.stdout)?.[1]);
    assert.ok(stored > 0, 'history holds trades');
    const seen = Number(/records seen on the stream: (\d+) trades/.exec(r.stdout)?.[1]);
    assert.ok(seen >= stored, 'the stream saw at least what was stored for one symbol');
  });
});
