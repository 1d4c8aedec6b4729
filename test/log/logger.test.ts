import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { boundLogger, connectorLogger, symbolLogger, venueLogger } from '../../src/log/bindings.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { createLogThrottle } from '../../src/log/throttle.js';

function capture() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { destination, chunks, lines };
}

describe('logger', () => {
  test('writes JSON lines carrying exchange, market, connector and symbol bindings', () => {
    const out = capture();
    const root = createLogger('info', { destination: out.destination, pretty: false });
    const coin = symbolLogger(connectorLogger(venueLogger(root, 'binance', 'spot'), 'binance:spot#2'), 'BTC/USDT');
    coin.info({ requests: 1 }, 'subscribed');
    const [line] = out.lines();
    assert.equal(line!.app, 'tickvisor');
    assert.equal(line!.exchange, 'binance');
    assert.equal(line!.market, 'spot');
    assert.equal(line!.connector, 'binance:spot#2');
    assert.equal(line!.symbol, 'BTC/USDT');
    assert.equal(line!.requests, 1);
    assert.equal(line!.msg, 'subscribed');
    assert.equal(line!.level, 30);
  });

  test('boundLogger leaves out bindings that are undefined', () => {
    const out = capture();
    const log = boundLogger(createLogger('info', { destination: out.destination, pretty: false }), { exchange: 'okx', market: undefined, symbol: 'ETH/USDT' });
    log.info('x');
    const [line] = out.lines();
    assert.equal(line!.exchange, 'okx');
    assert.equal(line!.symbol, 'ETH/USDT');
    assert.ok(!('market' in line!));
  });

  test('filters by level: below the configured level nothing is written', () => {
    const out = capture();
    const log = createLogger('warn', { destination: out.destination, pretty: false });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(out.lines().map((l) => l.msg), ['w', 'e']);
    assert.equal(log.isLevelEnabled('info'), false);
  });

  test('silent writes nothing at all', () => {
    const out = capture();
    const log = createLogger('silent', { destination: out.destination, pretty: false });
    log.fatal('f');
    assert.equal(out.chunks.length, 0);
    assert.equal(silentLogger().isLevelEnabled('fatal'), false);
  });

  test('pretty output is readable text, not JSON, and keeps the bindings', async () => {
    const out = capture();
    const log = createLogger('info', { destination: out.destination, pretty: true });
    venueLogger(log, 'upbit', 'spot').warn('feed stale');
    // pino-pretty is a stream: give it a turn to format
    for (let i = 0; i < 20 && out.chunks.length === 0; i += 1) await new Promise((r) => setImmediate(r));
    const text = out.chunks.join('');
    assert.match(text, /WARN/);
    assert.match(text, /feed stale/);
    assert.match(text, /exchange: "upbit"/);
    assert.ok(!text.trimStart().startsWith('{'));
  });
});

describe('log throttle', () => {
  test('lets one line per key per interval through and reports how many were held back', () => {
    let t = 0;
    const throttle = createLogThrottle({ intervalMs: 1_000, now: () => t });
    assert.equal(throttle.take('malformed'), 0);
    for (let i = 0; i < 99; i += 1) assert.equal(throttle.take('malformed'), undefined);
    assert.equal(throttle.take('other'), 0, 'keys are independent');
    t = 1_000;
    assert.equal(throttle.take('malformed'), 99);
    assert.equal(throttle.take('malformed'), undefined);
  });

  test('remembers a bounded number of keys', () => {
    const throttle = createLogThrottle({ intervalMs: 1_000, now: () => 0, maxKeys: 2 });
    throttle.take('a');
    throttle.take('b');
    throttle.take('c'); // evicts a
    assert.equal(throttle.take('a'), 0);
    assert.equal(throttle.take('c'), undefined);
  });
});
