/**
 * Replays an `--inspect-file` recording into the Stately inspector: each recorded line becomes
 * the inspector call that describes it (an actor appearing, an event sent to it, its next
 * snapshot). Recordings keep no machine definitions, so the viewer shows the actors, events and
 * sequence of a past run rather than the drawn state charts.
 */
import type { AnyEventObject } from 'xstate';

/** an actor as the inspector library reads one: its session id (shown as its name) and parent chain */
export interface ReplayActor {
  sessionId: string;
  _parent?: ReplayActor;
  send(): void;
  getSnapshot(): unknown;
}

/** the part of `@statelyai/inspect`'s Inspector a replay calls */
export interface ReplayTarget {
  actor(actor: ReplayActor, snapshot?: Record<string, unknown>): void;
  event(actor: ReplayActor, event: AnyEventObject, info?: { source?: ReplayActor }): void;
  snapshot(actor: ReplayActor, snapshot: Record<string, unknown>, info?: { event?: AnyEventObject }): void;
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const asEvent = (v: unknown): AnyEventObject | undefined => (isObject(v) && typeof v.type === 'string' ? (v as AnyEventObject) : undefined);

/**
 * Turns recorded lines into inspector calls. Actors are named by their system id or id
 * (`manager`, `collector:binance:spot`) rather than the session id (`x:12`) the viewer would
 * otherwise show; an id seen again for a new session (a restarted actor) gets `#session` appended.
 */
export class InspectionReplay {
  private readonly actors = new Map<string, ReplayActor>();
  private readonly names = new Set<string>();

  constructor(private readonly target: ReplayTarget) {}

  /**
   * One recorded line → at most one call. Returns false for lines that describe nothing the
   * viewer shows (microsteps, actions, drop markers) and for lines that are not records at all:
   * a truncated last line of a killed run is skipped, not fatal.
   */
  line(text: string): boolean {
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      return false;
    }
    if (!isObject(record) || !isObject(record.actor)) return false;
    const session = str(record.actor.sessionId);
    if (session === undefined) return false;
    const snapshot = isObject(record.snapshot) ? record.snapshot : undefined;
    switch (record.type) {
      case '@xstate.actor':
        this.target.actor(this.register(session, str(record.actor.systemId) ?? str(record.actor.id), str(record.actor.parent)), snapshot);
        return true;
      case '@xstate.event': {
        const event = asEvent(record.event);
        if (!event) return false;
        const source = isObject(record.source) ? str(record.source.sessionId) : undefined;
        this.target.event(this.actorFor(session), event, source ? { source: this.actorFor(source) } : {});
        return true;
      }
      case '@xstate.snapshot': {
        if (!snapshot) return false;
        const event = asEvent(record.event);
        this.target.snapshot(this.actorFor(session), snapshot, event ? { event } : {});
        return true;
      }
      default:
        return false;
    }
  }

  private register(session: string, id: string | undefined, parent: string | undefined): ReplayActor {
    let name = id ?? session;
    if (this.names.has(name)) name = `${name}#${session}`;
    this.names.add(name);
    const actor: ReplayActor = { sessionId: name, send: () => {}, getSnapshot: () => undefined };
    if (parent !== undefined) actor._parent = this.actorFor(parent);
    this.actors.set(session, actor);
    return actor;
  }

  /** an actor first seen in an event (its announcement dropped from the recording): named by session */
  private actorFor(session: string): ReplayActor {
    return this.actors.get(session) ?? this.register(session, undefined, undefined);
  }
}
