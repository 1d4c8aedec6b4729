/**
 * Manager: the root of the tree (docs/architecture.md#machines), one state: Managing.
 *
 * Creates one Collector per configured exchange × market, watches their reports, restarts a
 * collector that gives up or crashes (backoff with jitter, restart intensity), and when recovery
 * fails — a collector past its intensity, or a connector escalation from a collector — emits one
 * `alert` event ("recovery failed: operator action needed") for the alert sinks. Every other
 * collector keeps running.
 *
 * In a cluster (`leased: true`) a collector runs only while this node holds the lease on its work
 * unit: collectors are created Ready, `LEASE.GRANTED` starts one and `LEASE.LOST` stops it (its
 * sockets close at once, so the work stops before another node's lease can begin). A restart after
 * a crash starts the collector again only while the lease is still held. The leases themselves are
 * kept outside the tree (src/cluster/), which sends these two events.
 */
import { assign, enqueueActions, setup, type AnyActorRef } from 'xstate';
import { collectorMachine, type CollectorInput, type CollectorReport } from './collector.js';
import { collectorId } from './ids.js';
import {
  expireChildWindow,
  newChildRecord,
  noteChildState,
  restartedChild,
  superviseFailure,
  type ChildRecord,
  type RestartPolicy,
  type SupervisorTimerEvent,
} from './supervision.js';

export interface ManagerInput {
  collectors: CollectorInput[];
  restart: RestartPolicy;
  seed: number;
  /** cluster mode: a collector runs only while its lease is held (LEASE.GRANTED / LEASE.LOST) */
  leased?: boolean;
}

export interface RecoveryFailedAlert {
  kind: 'recovery-failed';
  message: 'recovery failed: operator action needed';
  /** the actor whose recovery failed (systemId) */
  actor: string;
  /** the supervisor that gave up on it */
  supervisor: string;
  lastError: string;
  restarts: number;
}

export interface ManagerContext {
  restart: RestartPolicy;
  seed: number;
  inputs: Record<string, CollectorInput>;
  collectors: Record<string, ChildRecord>;
  alerts: number;
  /** the most recent alerts, newest last (bounded) */
  recentAlerts: RecoveryFailedAlert[];
  leased: boolean;
  /** cluster mode: the collectors whose work unit this node holds the lease of */
  held: Record<string, boolean>;
}

/** from the lease keeper outside the tree: this node may (GRANTED) or must no longer (LOST) run a collector */
export type LeaseEvent = { type: 'LEASE.GRANTED'; id: string } | { type: 'LEASE.LOST'; id: string };

export type ManagerEvent =
  | CollectorReport
  | LeaseEvent
  | SupervisorTimerEvent
  | { type: `xstate.error.actor.${string}`; error: unknown };

export type ManagerEmitted = { type: 'alert'; alert: RecoveryFailedAlert };

const RECENT_ALERTS = 50;

/** a collector may run: always when alone, while its lease is held in a cluster */
function mayRun(context: ManagerContext, id: string): boolean {
  return !context.leased || context.held[id] === true;
}

function appendAlert(context: ManagerContext, alert: RecoveryFailedAlert) {
  return { alerts: context.alerts + 1, recentAlerts: [...context.recentAlerts, alert].slice(-RECENT_ALERTS) };
}

export const managerMachine = setup({
  types: {
    input: {} as ManagerInput,
    context: {} as ManagerContext,
    events: {} as ManagerEvent,
    emitted: {} as ManagerEmitted,
  },
  actors: {
    collector: collectorMachine,
  },
  actions: {
    spawnCollectors: enqueueActions(({ context, enqueue }) => {
      for (const id of Object.keys(context.inputs)) {
        enqueue.spawnChild('collector', { id, systemId: id, input: ({ context: c }) => c.inputs[id]! });
        if (mayRun(context, id)) enqueue.sendTo(id, { type: 'START' });
      }
    }),
    grantLease: enqueueActions(({ context, enqueue, event, self }) => {
      if (event.type !== 'LEASE.GRANTED' || !context.inputs[event.id] || context.held[event.id]) return;
      enqueue.assign({ held: { ...context.held, [event.id]: true } });
      // a collector waiting for its restart is started by the restart itself
      if (self.getSnapshot().children[event.id]) enqueue.sendTo(event.id, { type: 'START' });
    }),
    loseLease: enqueueActions(({ context, enqueue, event, self }) => {
      if (event.type !== 'LEASE.LOST' || !context.held[event.id]) return;
      enqueue.assign({ held: { ...context.held, [event.id]: false } });
      if (self.getSnapshot().children[event.id]) enqueue.sendTo(event.id, { type: 'STOP' });
    }),
    noteCollectorState: assign(({ context, event }) =>
      event.type === 'COLLECTOR.STATE' ? { collectors: noteChildState(context.collectors, event.id, event.state, 'Running') } : {},
    ),
    /** a collector escalated a connector it could not recover */
    alertEscalation: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'ESCALATION') return;
      const alert: RecoveryFailedAlert = {
        kind: 'recovery-failed',
        message: 'recovery failed: operator action needed',
        actor: event.id,
        supervisor: event.supervisor,
        lastError: event.error,
        restarts: event.restarts,
      };
      enqueue.assign(appendAlert(context, alert));
      enqueue.emit({ type: 'alert', alert });
    }),
    superviseFailure: enqueueActions(({ context, enqueue, event, self }) =>
      superviseFailure(enqueue, {
        event,
        gaveUpType: 'COLLECTOR.GAVE_UP',
        live: self.getSnapshot().children as Record<string, AnyActorRef | undefined>,
        records: context.collectors,
        policy: context.restart,
        seed: context.seed,
        record: ({ plan }) => enqueue.assign({ collectors: plan.children, seed: plan.seed }),
        escalate: (escalation, { id, error, plan }) => {
          const alert: RecoveryFailedAlert = {
            kind: 'recovery-failed',
            message: 'recovery failed: operator action needed',
            actor: id,
            supervisor: 'manager',
            lastError: error,
            restarts: escalation.restarts,
          };
          enqueue.assign(appendAlert({ ...context, collectors: plan.children }, alert));
          enqueue.emit({ type: 'alert', alert });
        },
      }),
    ),
    restartCollector: enqueueActions(({ context, enqueue, event }) => {
      const restarted = restartedChild(context.collectors, event);
      if (!restarted) return;
      const { id } = restarted;
      enqueue.assign({ collectors: restarted.records });
      enqueue.spawnChild('collector', { id, systemId: id, input: ({ context: c }) => c.inputs[id]! });
      if (mayRun(context, id)) enqueue.sendTo(id, { type: 'START' });
    }),
    expireRestart: assign(({ context, event }) => {
      const collectors = expireChildWindow(context.collectors, event);
      return collectors ? { collectors } : {};
    }),
  },
}).createMachine({
  id: 'manager',
  context: ({ input }) => {
    const inputs: Record<string, CollectorInput> = {};
    for (const c of input.collectors) {
      const id = collectorId(c.exchange, c.market);
      if (inputs[id]) throw new Error(`collector ${id} is configured twice`);
      inputs[id] = c;
    }
    return {
      restart: input.restart,
      seed: input.seed,
      inputs,
      collectors: Object.fromEntries(Object.keys(inputs).map((id) => [id, newChildRecord(id)])),
      alerts: 0,
      recentAlerts: [],
      leased: input.leased === true,
      held: {},
    };
  },
  initial: 'Managing',
  states: {
    Managing: {
      entry: 'spawnCollectors',
      on: {
        'COLLECTOR.STATE': { actions: 'noteCollectorState' },
        'COLLECTOR.GAVE_UP': { actions: 'superviseFailure' },
        'xstate.error.actor.*': { actions: 'superviseFailure' },
        ESCALATION: { actions: 'alertEscalation' },
        'LEASE.GRANTED': { actions: 'grantLease' },
        'LEASE.LOST': { actions: 'loseLease' },
        'CHILD.RESTART': { actions: 'restartCollector' },
        'CHILD.UNPARK': { actions: 'restartCollector' },
        'CHILD.WINDOW_EXPIRED': { actions: 'expireRestart' },
      },
    },
  },
});

export type ManagerMachine = typeof managerMachine;
