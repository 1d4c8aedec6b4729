/**
 * Children tell their supervisor what happened through events to their parent. A machine can also
 * run alone (in a test, or embedded by a user) with no parent; then the report is simply not sent,
 * where a bare sendParent would throw.
 */
import type { AnyActorRef, EventObject } from 'xstate';

export function sendToParentIfAny(self: AnyActorRef, event: EventObject): void {
  self._parent?.send(event);
}
