import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createActor, SimulatedClock } from 'xstate';
import { createInspectionRecorder } from '../../src/inspect/recorder.js';
import { FakeNetwork } from '../support/fake-network.js';
import { advance, collectorInput, provideTree, TEST_RESTART } from '../support/tree.js';

describe('inspection recorder on the whole supervision tree', () => {
  test('records manager, collectors, connectors and coins as valid, bounded JSON lines', async () => {
    const lines: string[] = [];
    let partial = '';
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        const text = partial + chunk.toString('utf8');
        const parts = text.split('\n');
        partial = parts.pop()!;
        lines.push(...parts);
        done();
      },
    });
    const recorder = createInspectionRecorder(out);
    const net = new FakeNetwork();
    const clock = new SimulatedClock();
    const { manager } = provideTree(net);
    const root = createActor(manager, {
      clock,
      systemId: 'manager',
      inspect: recorder.inspect,
      input: { collectors: [collectorInput('binance', 'spot'), collectorInput('upbit', 'spot')], restart: TEST_RESTART, seed: 1 },
    }).start();
    await advance({ clock, net }, 5_000);
    root.stop();
    await recorder.close();

    assert.equal(partial, '');
    assert.ok(lines.length > 50, `${lines.length} lines`);
    const records = lines.map((l) => JSON.parse(l) as { type: string; actor: { src?: string; systemId?: string } });
    const srcs = new Set(records.filter((r) => r.type === '@xstate.actor').map((r) => r.actor.src));
    for (const src of ['manager', 'collector', 'connector', 'coin']) assert.ok(srcs.has(src), `an actor of ${src} (saw ${[...srcs].join(', ')})`);
    assert.ok(records.some((r) => r.actor.systemId === 'manager'));
    assert.ok(Math.max(...lines.map((l) => l.length)) < 200_000, 'no line is unbounded');
    assert.equal(recorder.stats().dropped, 0);
  });
});
