import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import type { InspectionEvent } from 'xstate';
import { createLogger } from '../../src/log/logger.js';
import { lifecycleLogger } from '../../src/runtime/lifecycle-log.js';

function run(level: 'info' | 'debug'): Array<{ level: number; msg: string }> {
  const chunks: string[] = [];
  const destination = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c.toString()), done()) });
  const observe = lifecycleLogger(createLogger('info', { destination, pretty: false }), level);
  const snap = (value: string, lastError?: string) =>
    observe({ type: '@xstate.snapshot', actorRef: { id: 'connector:okx:spot#1', sessionId: 'x:3' }, snapshot: { value, context: { lastError } } } as unknown as InspectionEvent);
  snap('Connecting');
  snap('Connected');
  snap('Failed', 'socket closed');
  return chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string });
}

describe('lifecycle log level', () => {
  test('ordinary state changes at info by default, at debug for a terminal; failures warn either way', () => {
    assert.deepEqual(run('info').map((l) => l.msg), ['connector:okx:spot#1 Connecting', 'connector:okx:spot#1 Connected', 'connector:okx:spot#1 Failed: socket closed']);
    const quiet = run('debug');
    assert.deepEqual(quiet.map((l) => [l.level, l.msg]), [[40, 'connector:okx:spot#1 Failed: socket closed']]);
  });
});
