/**
 * Mermaid `stateDiagram-v2` from an XState machine definition: states, nested states, initial
 * states and every transition labelled with its event (delays as `after <name>`, invoke results as
 * `done:`/`error:`, eventless transitions as `always`, guards in brackets). Transitions without a
 * target (actions only) change no state; they are listed in a table beside the diagram instead.
 */
import type { AnyStateMachine } from 'xstate';

interface NodeLike {
  key: string;
  path: string[];
  type: string;
  states: Record<string, NodeLike>;
  initial?: { target: ReadonlyArray<NodeLike> } | undefined;
  transitions: Map<string, ReadonlyArray<TransitionLike>>;
  always?: ReadonlyArray<TransitionLike>;
  invoke: ReadonlyArray<{ id: string; src: unknown }>;
}

interface TransitionLike {
  eventType: string;
  target?: ReadonlyArray<NodeLike> | undefined;
  guard?: unknown;
  reenter?: boolean;
}

const nodeId = (node: NodeLike) => node.path.join('_');

function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'guard';
}

/** A readable label for an event descriptor as XState stores it. */
export function eventLabel(eventType: string, invokes: ReadonlyArray<{ id: string; src: unknown }> = []): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (after) return `after ${after[1]}`;
  const named = (id: string) => {
    const inv = invokes.find((i) => i.id === id);
    return inv && typeof inv.src === 'string' ? inv.src : id;
  };
  if (eventType.startsWith('xstate.done.actor.')) return `done: ${named(eventType.slice('xstate.done.actor.'.length))}`;
  if (eventType === 'xstate.error.actor.*') return 'child crashed';
  if (eventType.startsWith('xstate.error.actor.')) return `error: ${named(eventType.slice('xstate.error.actor.'.length))}`;
  return eventType;
}

function label(t: TransitionLike, invokes: NodeLike['invoke'], eventless = false): string {
  const base = eventless ? 'always' : eventLabel(t.eventType, invokes);
  const g = guardName(t.guard);
  return g ? `${base} [${g}]` : base;
}

export interface MachineDiagram {
  mermaid: string;
  /** events handled without a change of state, per state path */
  internal: Array<{ state: string; events: string[] }>;
}

export function machineToMermaid(machine: AnyStateMachine): MachineDiagram {
  const root = machine.root as unknown as NodeLike;
  const lines: string[] = ['stateDiagram-v2'];
  const edges: string[] = [];
  const internal: MachineDiagram['internal'] = [];

  const declare = (node: NodeLike, indent: string) => {
    const children = Object.values(node.states);
    for (const child of children) {
      const id = nodeId(child);
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state "${child.key}" as ${id} {`);
        declare(child, indent + '  ');
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${child.key}" as ${id}`);
      }
    }
    const initial = node.initial?.target[0];
    if (initial) lines.push(`${indent}[*] --> ${nodeId(initial)}`);
  };

  const collect = (node: NodeLike, isRoot: boolean) => {
    const source = isRoot ? undefined : nodeId(node);
    const targetless: string[] = [];
    for (const [, list] of node.transitions) {
      for (const t of list) {
        const targets = t.target ?? [];
        if (targets.length === 0) {
          targetless.push(label(t, node.invoke));
          continue;
        }
        for (const target of targets) {
          if (source) edges.push(`  ${source} --> ${nodeId(target)}: ${label(t, node.invoke)}`);
          else targetless.push(`${label(t, node.invoke)} → ${target.key}`);
        }
      }
    }
    for (const t of node.always ?? []) {
      for (const target of t.target ?? []) {
        if (source) edges.push(`  ${source} --> ${nodeId(target)}: ${label(t, node.invoke, true)}`);
      }
    }
    if (targetless.length > 0) {
      internal.push({ state: isRoot ? '(any state)' : node.path.join('.'), events: [...new Set(targetless)] });
    }
    for (const child of Object.values(node.states)) collect(child, false);
  };

  declare(root, '  ');
  collect(root, true);
  return { mermaid: [...lines, ...edges].join('\n'), internal };
}

/** The supervision tree: which machine spawns which actors, read from each machine's `setup({ actors })`. */
export function supervisionTreeMermaid(
  machines: Array<{ name: string; machine: AnyStateMachine; instance: string }>,
): string {
  const lines = ['flowchart TD'];
  const byLogic = new Map<unknown, string>();
  for (const m of machines) byLogic.set(m.machine, m.name);
  for (const m of machines) lines.push(`  ${m.name}["${m.name}<br/><small>${m.instance}</small>"]`);
  for (const m of machines) {
    const actors = (m.machine.implementations.actors ?? {}) as Record<string, unknown>;
    for (const [key, logic] of Object.entries(actors)) {
      const child = byLogic.get(logic);
      if (child) lines.push(`  ${m.name} -->|"spawns, supervises"| ${child}`);
      else {
        lines.push(`  ${m.name}_${key}(["${key}<br/><small>I/O actor, provided at runtime</small>"])`);
        lines.push(`  ${m.name} -.->|"${key === 'connection' ? 'owns' : 'invokes'}"| ${m.name}_${key}`);
      }
    }
  }
  return lines.join('\n');
}
