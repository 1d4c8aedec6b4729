/**
 * The supervision steps both supervisors share, generic over the kind of child: a Collector's
 * records carry a group index that must survive every step, a Manager's are plain records.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allTimerIds,
  expireChildWindow,
  newChildRecord,
  noteChildState,
  restartedChild,
  superviseFailure,
  type ChildRecord,
  type RestartPolicy,
  type SupervisorEnqueue,
  type SupervisorTimerEvent,
} from '../../machines/supervision.js';

interface GroupRecord extends ChildRecord {
  groupIndex: number;
}

const POLICY: RestartPolicy = {
  backoff: { minDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0 },
  maxRestarts: 1,
  windowMs: 10_000,
  parkAfterEscalationMs: 5_000,
};

function recorder() {
  const log: string[] = [];
  const raised: Array<{ event: SupervisorTimerEvent; id: string; delay: number }> = [];
  const enqueue = Object.assign((action: () => void) => log.push(`run:${action.name || 'fn'}`), {
    stopChild: (id: string) => log.push(`stop:${id}`),
    cancel: (id: string) => log.push(`cancel:${id}`),
    raise: (event: SupervisorTimerEvent, options: { id: string; delay: number }) => {
      log.push(`raise:${options.id}`);
      raised.push({ event, ...options });
    },
  }) satisfies SupervisorEnqueue;
  return { enqueue, log, raised };
}

describe('supervision steps shared by Collector and Manager', () => {
  test('a failure stops the child, records the plan, then schedules restart and window expiry; the extra fields survive', () => {
    const id = 'connector:x:spot:3';
    const records: Record<string, GroupRecord> = { [id]: { ...newChildRecord(id), groupIndex: 3 } };
    const { enqueue, log, raised } = recorder();
    let recorded: Record<string, GroupRecord> | undefined;
    superviseFailure(enqueue, {
      event: { type: 'CONNECTOR.GAVE_UP', id, error: 'boom' },
      gaveUpType: 'CONNECTOR.GAVE_UP',
      live: {},
      records,
      policy: POLICY,
      seed: 1,
      record: ({ plan }) => {
        log.push('record');
        recorded = plan.children;
      },
      escalate: () => log.push('escalate'),
    });
    assert.deepEqual(log, ['stop:connector:x:spot:3', 'record', `raise:restart:${id}`, `raise:window:${id}:0`]);
    assert.equal(recorded?.[id]?.groupIndex, 3);
    assert.equal(recorded?.[id]?.lastError, 'boom');
    assert.deepEqual(raised.map((r) => [r.event.type, r.delay]), [['CHILD.RESTART', 100], ['CHILD.WINDOW_EXPIRED', 10_000]]);
  });

  test('past the intensity the failure escalates and parks; an unknown child is left alone', () => {
    const id = 'collector:x:spot';
    const records: Record<string, ChildRecord> = { [id]: { ...newChildRecord(id), recentRestarts: 1 } };
    const { enqueue, log } = recorder();
    let escalated: { id: string; error: string } | undefined;
    const args = {
      gaveUpType: 'COLLECTOR.GAVE_UP',
      live: {},
      records,
      policy: POLICY,
      seed: 1,
      record: () => log.push('record'),
      escalate: (e: { id: string; error: string }) => {
        escalated = e;
      },
    };
    superviseFailure(enqueue, { ...args, event: { type: 'COLLECTOR.GAVE_UP', id, error: 'no listing' } });
    assert.deepEqual(escalated && { id: escalated.id, error: escalated.error }, { id, error: 'no listing' });
    assert.deepEqual(log, [`stop:${id}`, 'record', `raise:unpark:${id}`]);
    log.length = 0;
    superviseFailure(enqueue, { ...args, event: { type: 'COLLECTOR.GAVE_UP', id: 'collector:y:spot', error: 'x' } });
    assert.deepEqual(log, []);
  });

  test('restart, state and window steps keep the record kind and ignore other events', () => {
    const id = 'connector:x:spot:1';
    const records: Record<string, GroupRecord> = { [id]: { ...newChildRecord(id), groupIndex: 1, parked: true, recentRestarts: 2, backoffAttempt: 2 } };
    assert.equal(restartedChild(records, { type: 'CHILD.WINDOW_EXPIRED', id }), undefined);
    const unparked = restartedChild(records, { type: 'CHILD.UNPARK', id });
    assert.deepEqual(unparked && { ...unparked.record }, { ...records[id]!, parked: false, recentRestarts: 0, backoffAttempt: 0, restartAttempts: 1, awaitingRecovery: true, state: 'Ready' });
    const healthy = noteChildState(unparked!.records, id, 'Connected', 'Connected');
    assert.equal(healthy[id]?.restartSuccesses, 1);
    assert.equal(healthy[id]?.groupIndex, 1);
    assert.equal(expireChildWindow(healthy, { type: 'CHILD.RESTART', id }), undefined);
    assert.deepEqual(allTimerIds(id, { ...newChildRecord(id), restartAttempts: 1, recentRestarts: 1 }), [`restart:${id}`, `unpark:${id}`, `window:${id}:0`, `window:${id}:1`, `window:${id}:2`]);
  });
});
