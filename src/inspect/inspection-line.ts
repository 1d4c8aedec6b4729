/**
 * One XState inspection event as one small JSON object: when, what kind, which actor (id,
 * systemId, sessionId, parent), and the event / snapshot / transitions / action it carries, all
 * through toSafeJson. Snapshots are reduced to what a reader wants — status, value, context,
 * children by id, output, error — never the machine definition they point to.
 */
import type { InspectionEvent } from 'xstate';
import { toSafeJson, type SafeJson, type SafeJsonLimits } from './safe-json.js';

type Loose = Record<string, unknown>;

export interface ActorFacts {
  id: string | undefined;
  systemId: string | undefined;
  sessionId: string | undefined;
  parent: string | undefined;
  /** the logic's id (the machine's `id`, or the name the actor was provided under) */
  src: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function actorFacts(ref: unknown): ActorFacts {
  const r = (ref ?? {}) as Loose;
  const parent = r._parent as Loose | undefined;
  const logic = r.logic as Loose | undefined;
  const config = logic?.config as Loose | undefined;
  return {
    id: str(r.id),
    // at `@xstate.actor` time xstate has not assigned `systemId` yet; the options already hold it
    systemId: str(r.systemId) ?? str((r.options as Loose | undefined)?.systemId),
    sessionId: str(r.sessionId),
    parent: str(parent?.sessionId),
    src: str(r.src) ?? str(config?.id) ?? str(logic?.id),
  };
}

/** the readable part of any actor snapshot (machine, promise, callback, observable) */
export function snapshotView(snapshot: unknown, limits?: SafeJsonLimits): SafeJson {
  if (typeof snapshot !== 'object' || snapshot === null) return toSafeJson(snapshot, limits);
  const s = snapshot as Loose;
  const view: Loose = { status: s.status };
  if ('value' in s) view.value = s.value;
  if ('context' in s) view.context = s.context;
  if (s.children && typeof s.children === 'object') {
    // children by id only: the refs themselves are whole actors
    view.children = Object.keys(s.children as Loose);
  }
  if (s.output !== undefined) view.output = s.output;
  if (s.error !== undefined) view.error = s.error;
  if (Array.isArray(s.tags) || s.tags instanceof Set) view.tags = s.tags;
  return toSafeJson(view, limits);
}

function transitionView(t: unknown): SafeJson {
  const tr = (t ?? {}) as Loose;
  const source = tr.source as Loose | undefined;
  const targets = Array.isArray(tr.target) ? (tr.target as Loose[]).map((n) => str(n?.id) ?? '?') : [];
  return { event: str(tr.eventType) ?? null, source: str(source?.id) ?? null, targets };
}

export function inspectionRecord(event: InspectionEvent, at: number, limits?: SafeJsonLimits): Record<string, SafeJson> {
  const record: Record<string, SafeJson> = { t: at, type: event.type };
  const actor = actorFacts(event.actorRef);
  record.actor = toSafeJson(actor);
  if (event.rootId !== undefined) record.rootId = event.rootId;
  switch (event.type) {
    case '@xstate.actor': {
      // xstate announces an actor before its first snapshot exists; that arrives as @xstate.snapshot
      const snapshot = readSnapshot(event.actorRef);
      if (snapshot !== undefined) record.snapshot = snapshotView(snapshot, limits);
      break;
    }
    case '@xstate.event':
      record.source = event.sourceRef ? toSafeJson(actorFacts(event.sourceRef)) : null;
      record.event = toSafeJson(event.event, limits);
      break;
    case '@xstate.snapshot':
    case '@xstate.transition':
      record.event = toSafeJson(event.event, limits);
      record.snapshot = snapshotView(event.snapshot, limits);
      break;
    case '@xstate.microstep':
      record.event = toSafeJson(event.event, limits);
      record.transitions = (event._transitions ?? []).map(transitionView);
      record.value = toSafeJson((event.snapshot as Loose | undefined)?.value, limits);
      break;
    case '@xstate.action':
      record.action = toSafeJson(event.action, limits);
      break;
    default: {
      // a kind added by a later xstate: keep what is there, minus the actor ref
      const { actorRef: _ref, type: _type, rootId: _root, ...rest } = event as unknown as Loose;
      record.data = toSafeJson(rest, limits);
    }
  }
  return record;
}

function readSnapshot(ref: unknown): unknown {
  try {
    return (ref as { getSnapshot(): unknown }).getSnapshot();
  } catch {
    return undefined;
  }
}
