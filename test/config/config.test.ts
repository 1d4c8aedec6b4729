import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { defaultConfig, loadConfigFile, resolveConfig } from '../../src/config/load.js';
import { TickvisorError } from '../../src/errors.js';
import { batchMaxDelayMs } from '../../src/config/batch-delay-default.js';
import { scratchDir } from '../scratch-dir.js';

function rejects(input: unknown, code: string, message: RegExp) {
  assert.throws(() => resolveConfig(input, 'cfg.yaml'), (e: unknown) => {
    assert.ok(e instanceof TickvisorError);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

describe('configuration', () => {
  test('the embedded default validates and simulates all seven exchange markets', () => {
    const c = defaultConfig();
    assert.equal(c.exchanges.length, 7);
    assert.ok(c.exchanges.every((e) => e.simulated));
  });

  test('a bad field is named with the reason', () => {
    rejects({ exchanges: [{ exchange: 'binance', market: 'options' }] }, 'TV_ERR_CONFIG_INVALID', /^cfg.yaml: exchanges\.0\.market: /);
    rejects({ exchanges: [{ exchange: 'kraken', market: 'spot' }] }, 'TV_ERR_CONFIG_INVALID', /exchanges\.0\.exchange/);
    rejects({ exchanges: [] }, 'TV_ERR_CONFIG_INVALID', /exchanges/);
    rejects({ exchanges: [{ exchange: 'okx', market: 'spot', groupSize: 0 }] }, 'TV_ERR_CONFIG_INVALID', /exchanges\.0\.groupSize/);
    rejects({ exchanges: [{ exchange: 'okx', market: 'spot' }], store: { batchMaxRecords: -1 } }, 'TV_ERR_CONFIG_INVALID', /store\.batchMaxRecords/);
    rejects({ exchanges: [{ exchange: 'okx', market: 'spot', symbol: ['BTC/USDT'] }] }, 'TV_ERR_CONFIG_INVALID', /exchanges\.0: .*symbol/i);
  });

  test('the batch delay: 2 ms alone, 10 ms on a cluster node, what the configuration says when it says one', () => {
    const ex = [{ exchange: 'binance', market: 'spot' }];
    const alone = resolveConfig({ exchanges: ex }, 'cfg.yaml');
    const node = resolveConfig({ exchanges: ex, cluster: { nats: 'nats://127.0.0.1:4222' } }, 'cfg.yaml');
    assert.equal(batchMaxDelayMs(alone.store, alone.cluster !== undefined), 2);
    assert.equal(batchMaxDelayMs(node.store, node.cluster !== undefined), 10);
    const set = resolveConfig({ exchanges: ex, store: { batchMaxDelayMs: 4 }, cluster: { nats: 'nats://127.0.0.1:4222' } }, 'cfg.yaml');
    assert.equal(batchMaxDelayMs(set.store, true), 4);
    rejects({ exchanges: ex, store: { batchMaxDelayMs: 0 } }, 'TV_ERR_CONFIG_INVALID', /store\.batchMaxDelayMs/);
  });

  test('cluster: NATS URLs, node names, lease TTL and redundancy are checked; defaults filled in', () => {
    const ex = [{ exchange: 'okx', market: 'spot' }];
    const c = resolveConfig({ exchanges: ex, cluster: { nats: 'nats://127.0.0.1:4222' } }, 'cfg.yaml');
    assert.deepEqual(c.cluster, { nats: ['nats://127.0.0.1:4222'], leaseTtlMs: 10_000, redundancy: 1, replicas: 3, stream: 'TICKVISOR', maxBacklogTrades: 1_000_000, windowMs: 50 });
    assert.deepEqual(resolveConfig({ exchanges: ex, cluster: { nats: ['nats://a:4222', 'b:4223', 'tls://c.example.com:4222'], node: 'n-1', redundancy: 2 } }, 'cfg.yaml').cluster?.nats, ['nats://a:4222', 'b:4223', 'tls://c.example.com:4222']);
    rejects({ exchanges: ex, cluster: { nats: 'http://x y' } }, 'TV_ERR_CONFIG_INVALID', /cluster\.nats.*NATS server URL/);
    rejects({ exchanges: ex, cluster: { nats: [] } }, 'TV_ERR_CONFIG_INVALID', /cluster\.nats/);
    rejects({ exchanges: ex, cluster: { nats: 'nats://a:4222', node: 'a b' } }, 'TV_ERR_CONFIG_INVALID', /cluster\.node/);
    rejects({ exchanges: ex, cluster: { nats: 'nats://a:4222', leaseTtlMs: 100 } }, 'TV_ERR_CONFIG_INVALID', /cluster\.leaseTtlMs/);
    rejects({ exchanges: ex, cluster: { nats: 'nats://a:4222', redundancy: 3 } }, 'TV_ERR_CONFIG_INVALID', /cluster\.redundancy/);
    assert.equal(resolveConfig({ exchanges: ex }, 'cfg.yaml').cluster, undefined);
  });

  test('an exchange without that market, or configured twice, is refused', () => {
    rejects({ exchanges: [{ exchange: 'upbit', market: 'futures' }] }, 'TV_ERR_UNKNOWN_VENUE', /upbit has no futures market/);
    rejects({ exchanges: [{ exchange: 'okx', market: 'spot' }, { exchange: 'okx', market: 'spot' }] }, 'TV_ERR_CONFIG_INVALID', /configured twice/);
  });

  test('files: YAML and JSON read; a missing or unparsable file is one clear line', async () => {
    const dir = scratchDir('tickvisor-config-');
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ exchanges: [{ exchange: 'bybit', market: 'futures', simulated: true }] }));
    assert.equal((await loadConfigFile(join(dir, 'ok.json'))).exchanges[0]!.exchange, 'bybit');
    writeFileSync(join(dir, 'bad.yaml'), 'exchanges: [\n  - exchange: okx\n   market: spot');
    await assert.rejects(loadConfigFile(join(dir, 'bad.yaml')), /bad\.yaml: not valid YAML/);
    await assert.rejects(loadConfigFile(join(dir, 'missing.yaml')), (e: TickvisorError) => e.code === 'TV_ERR_CONFIG_NOT_FOUND' && /ENOENT/.test(e.message));
  });
});
