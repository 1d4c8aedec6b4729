import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditOptionsFor } from '../../src/audit/audit-options.js';
import { resolveConfig } from '../../src/config/load.js';

describe('audit configuration', () => {
  test('on by default where trade ids are not dense (Upbit, Bybit, OKX), off on Binance', () => {
    const config = resolveConfig({
      exchanges: [
        { exchange: 'binance', market: 'spot' },
        { exchange: 'upbit', market: 'spot' },
        { exchange: 'bybit', market: 'futures' },
        { exchange: 'okx', market: 'spot' },
      ],
    });
    const audits = config.exchanges.map((e) => auditOptionsFor(e));
    assert.equal(audits[0], undefined);
    for (const a of audits.slice(1)) assert.deepEqual(a, { intervalMs: 10_000, share: 0.5, settleMs: 5_000, maxTrades: 1_000 });
  });

  test('`enabled` overrides the default either way; other fields keep their defaults', () => {
    const config = resolveConfig({
      exchanges: [
        { exchange: 'binance', market: 'spot', audit: { enabled: true, intervalMs: 60_000 } },
        { exchange: 'okx', market: 'spot', audit: { enabled: false } },
      ],
    });
    assert.deepEqual(auditOptionsFor(config.exchanges[0]!), { intervalMs: 60_000, share: 0.5, settleMs: 5_000, maxTrades: 1_000 });
    assert.equal(auditOptionsFor(config.exchanges[1]!), undefined);
  });

  test('top-level audit settings apply to every exchange; an exchange\'s own fields win', () => {
    const config = resolveConfig({
      audit: { intervalMs: 200, settleMs: 300 },
      exchanges: [
        { exchange: 'binance', market: 'spot' },
        { exchange: 'upbit', market: 'spot' },
        { exchange: 'bybit', market: 'spot', audit: { settleMs: 1_000, share: 0.5 } },
      ],
    });
    assert.equal(auditOptionsFor(config.exchanges[0]!, config.audit), undefined, 'still off on Binance unless enabled');
    assert.deepEqual(auditOptionsFor(config.exchanges[1]!, config.audit), { intervalMs: 200, share: 0.5, settleMs: 300, maxTrades: 1_000 });
    assert.deepEqual(auditOptionsFor(config.exchanges[2]!, config.audit), { intervalMs: 200, share: 0.5, settleMs: 1_000, maxTrades: 1_000 });
    const off = resolveConfig({ audit: { enabled: false }, exchanges: [{ exchange: 'okx', market: 'spot' }] });
    assert.equal(auditOptionsFor(off.exchanges[0]!, off.audit), undefined);
  });

  test('a bad audit field is named with the reason', () => {
    assert.throws(
      () => resolveConfig({ exchanges: [{ exchange: 'okx', market: 'spot', audit: { share: 1.5 } }] }),
      (e: Error) => /exchanges\.0\.audit\.share/.test(e.message) && !e.message.includes('\n    at '),
    );
    assert.throws(() => resolveConfig({ exchanges: [{ exchange: 'okx', market: 'spot', audit: { intervalMs: 0 } }] }), /exchanges\.0\.audit\.intervalMs/);
    assert.throws(() => resolveConfig({ exchanges: [{ exchange: 'okx', market: 'spot', audit: { every: 5 } }] }), /exchanges\.0\.audit/);
    assert.throws(() => resolveConfig({ audit: { share: 0 }, exchanges: [{ exchange: 'okx', market: 'spot' }] }), /audit\.share/);
  });
});
