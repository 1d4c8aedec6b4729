/** The quarantine's bounds: N examples per reason (across restarts too), a total, a byte cut per frame; counts never stop. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistoryStore } from '../../src/store/index.js';
import { boundedText, openQuarantineDb, QuarantineWriter, readQuarantine, type QuarantinedFrame } from '../../src/store/quarantine.js';

const dirs: string[] = [];
function store() {
  const dir = mkdtempSync(join(tmpdir(), 'tv-quarantine-'));
  dirs.push(dir);
  return { dir, store: openHistoryStore({ path: dir, noSync: true }) };
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const frame = (i: number, over: Partial<QuarantinedFrame> = {}): QuarantinedFrame => ({
  exchange: 'binance', market: 'spot', reason: 'unknown-kind', message: `event e${i}`, frame: `{"e":"e${i}"}`, receivedAt: 1_000 + i, connection: 'c1', ...over,
});

describe('quarantine', () => {
  test('every frame is counted; only the first N of each reason are kept, in arrival order', async () => {
    const { store: s } = store();
    const q = new QuarantineWriter(s.env, { examplesPerReason: 5 });
    for (let i = 0; i < 12; i++) q.add(frame(i));
    for (let i = 0; i < 2; i++) q.add(frame(i, { reason: 'bad-field' }));
    await q.close();
    const { counts, examples } = readQuarantine(openQuarantineDb(s.env));
    assert.deepEqual(counts.map((c) => [c.reason, c.count, c.firstAt, c.lastAt]), [['bad-field', 2, 1000, 1001], ['unknown-kind', 12, 1000, 1011]]);
    assert.deepEqual(examples.filter((e) => e.reason === 'unknown-kind').map((e) => e.message), ['event e0', 'event e1', 'event e2', 'event e3', 'event e4']);
    assert.equal(examples.filter((e) => e.reason === 'bad-field').length, 2);
    await s.close();
  });

  test('the bound holds across a restart: counts add up, no more examples are kept', async () => {
    const { dir, store: s } = store();
    const q = new QuarantineWriter(s.env, { examplesPerReason: 3 });
    for (let i = 0; i < 2; i++) q.add(frame(i));
    await q.close();
    await s.close();
    const s2 = openHistoryStore({ path: dir, noSync: true });
    const q2 = new QuarantineWriter(s2.env, { examplesPerReason: 3 });
    for (let i = 2; i < 6; i++) q2.add(frame(i));
    await q2.close();
    const { counts, examples } = readQuarantine(openQuarantineDb(s2.env));
    assert.equal(counts[0]!.count, 6);
    assert.deepEqual(examples.map((e) => e.message), ['event e0', 'event e1', 'event e2']);
    await s2.close();
  });

  test('a total bound over all keys, and filters by exchange, market and reason', async () => {
    const { store: s } = store();
    const q = new QuarantineWriter(s.env, { examplesPerReason: 10, maxExamples: 4 });
    for (let i = 0; i < 3; i++) q.add(frame(i));
    for (let i = 0; i < 3; i++) q.add(frame(i, { exchange: 'okx', market: 'futures', reason: 'missing-field' }));
    await q.close();
    const db = openQuarantineDb(s.env);
    assert.equal(readQuarantine(db).examples.length, 4);
    assert.deepEqual(readQuarantine(db, { exchange: 'okx' }).counts.map((c) => [c.exchange, c.market, c.reason, c.count]), [['okx', 'futures', 'missing-field', 3]]);
    assert.deepEqual(readQuarantine(db, { market: 'spot' }).counts.map((c) => c.exchange), ['binance']);
    assert.deepEqual(readQuarantine(db, { reason: 'bad-field' }), { counts: [], examples: [] });
    await s.close();
  });

  test('a kept frame is cut at the byte bound and says so; its full size is kept', async () => {
    const { store: s } = store();
    const q = new QuarantineWriter(s.env, { maxRawBytes: 1024 });
    const big = `{"e":"x","pad":"${'é'.repeat(2000)}"}`;
    q.add(frame(0, { frame: big }));
    q.add(frame(1, { frame: Buffer.from('{"small":1}') }));
    await q.close();
    const [cut, small] = readQuarantine(openQuarantineDb(s.env)).examples;
    assert.equal(cut!.truncated, true);
    assert.equal(cut!.bytes, Buffer.byteLength(big));
    assert.ok(Buffer.byteLength(cut!.raw) <= 1024 + 2, 'at most the bound (a split character becomes U+FFFD)');
    assert.ok(big.startsWith(cut!.raw.slice(0, 500)));
    assert.deepEqual([small!.raw, small!.truncated, small!.bytes], ['{"small":1}', false, 11]);
    assert.deepEqual(boundedText('abc', 2), { raw: 'ab', bytes: 3, truncated: true });
    await s.close();
  });

  test('a failed commit (disk full) is reported, never thrown at the caller, and later ones still go through', async () => {
    const { store: s } = store();
    const real = openQuarantineDb(s.env);
    let failing = true;
    // the environment, with commits failing as on a full disk while `failing` holds
    const env = {
      openDB: () =>
        new Proxy(real, {
          get: (target, name, receiver) =>
            name === 'transaction' && failing
              ? () => Promise.reject(Object.assign(new Error('Commit failed'), { commitError: Promise.reject(new Error('MDB_MAP_FULL')) }))
              : Reflect.get(target, name, receiver),
        }),
    } as unknown as typeof s.env;
    const errors: unknown[] = [];
    const q = new QuarantineWriter(env, { onError: (e) => errors.push(e) });
    q.add(frame(0));
    await q.flush();
    assert.equal(errors.length, 1);
    failing = false;
    q.add(frame(1));
    await q.close();
    assert.equal(readQuarantine(real).counts[0]!.count, 1, 'the failed batch is lost, the next one is stored');
    await s.close();
  });
});
