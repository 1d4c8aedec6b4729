/**
 * Stops what a crashed actor leaves behind.
 *
 * XState v5 stops an actor's children when the actor stops, but not when it errors: an errored
 * actor is unregistered and its children keep running ("orphaned", as a TODO in XState's
 * Actor._stopProcedure says). A crashed Connector would leave its socket open, so supervisors call
 * this on a crashed child before restarting it: no socket, timer or subscription left behind.
 */
import type { AnyActorRef } from 'xstate';

/** The internal stop every ActorRef has; public `stop()` refuses non-root actors. */
interface Stoppable {
  _stop(): unknown;
}

export function reapCrashed(crashed: AnyActorRef | undefined): void {
  if (!crashed) return;
  const snapshot = crashed.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> };
  for (const child of Object.values(snapshot.children ?? {})) {
    if (!child) continue;
    if ((child.getSnapshot() as { status?: string }).status === 'error') reapCrashed(child);
    else (child as unknown as Stoppable)._stop();
  }
}
