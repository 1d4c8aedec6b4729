import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InspectionReplay, type ReplayActor, type ReplayTarget } from '../../src/inspect/replay.js';

/** records the calls a replay makes, with actors by name and parent */
function target() {
  const calls: string[] = [];
  const name = (a: ReplayActor) => `${a.sessionId}${a._parent ? `<${a._parent.sessionId}` : ''}`;
  const t: ReplayTarget = {
    actor: (a, snapshot) => void calls.push(`actor ${name(a)} ${JSON.stringify(snapshot ?? null)}`),
    event: (a, event, info) => void calls.push(`event ${name(a)} ${event.type} from ${info?.source?.sessionId ?? '-'}`),
    snapshot: (a, snapshot, info) => void calls.push(`snapshot ${name(a)} ${JSON.stringify(snapshot.value)} on ${info?.event?.type ?? '-'}`),
  };
  return { t, calls };
}

describe('replaying an --inspect-file recording', () => {
  test('actors by readable name under their parents, events with their source, snapshots with their event; other lines skipped', () => {
    const { t, calls } = target();
    const replay = new InspectionReplay(t);
    const lines = [
      { t: 1, type: '@xstate.actor', actor: { id: 'x:0', systemId: 'manager', sessionId: 'x:0' }, rootId: 'x:0' },
      { t: 2, type: '@xstate.actor', actor: { id: 'collector:okx:spot', sessionId: 'x:1', parent: 'x:0' }, snapshot: { status: 'active', value: 'Idle' } },
      { t: 3, type: '@xstate.event', actor: { sessionId: 'x:1' }, source: { sessionId: 'x:0' }, event: { type: 'START' } },
      { t: 4, type: '@xstate.snapshot', actor: { sessionId: 'x:1' }, event: { type: 'START' }, snapshot: { status: 'active', value: 'Running' } },
      { t: 5, type: '@xstate.microstep', actor: { sessionId: 'x:1' }, event: { type: 'START' }, transitions: [] },
      { t: 6, type: 'tickvisor.dropped', count: 3 },
      // the same id again for a new session: a restarted actor
      { t: 7, type: '@xstate.actor', actor: { id: 'collector:okx:spot', sessionId: 'x:9', parent: 'x:0' } },
    ].map((l) => JSON.stringify(l));
    const shown = [...lines, '{"t":8,"type":"@xstate.snap'].map((l) => replay.line(l));
    assert.deepEqual(shown, [true, true, true, true, false, false, true, false]);
    assert.deepEqual(calls, [
      'actor manager null',
      'actor collector:okx:spot<manager {"status":"active","value":"Idle"}',
      'event collector:okx:spot<manager START from manager',
      'snapshot collector:okx:spot<manager "Running" on START',
      'actor collector:okx:spot#x:9<manager null',
    ]);
  });
});
