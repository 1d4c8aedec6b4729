/**
 * A JSON-safe, size-capped copy of anything an actor holds. Contexts may carry sockets, big
 * arrays, Maps, actor refs and cycles; an inspection line must stay small, valid JSON, and never
 * throw back into the actor system. So: strings, arrays and key lists are capped with a marker of
 * what was left out; depth and total node count are bounded; functions and symbols are dropped;
 * actor refs become `"[actor <id>]"`; `toJSON` (Date, xstate transitions) is honoured.
 */

export interface SafeJsonLimits {
  maxDepth: number;
  maxString: number;
  maxArray: number;
  maxKeys: number;
  /** values visited per call; past this everything is "[truncated]" */
  maxNodes: number;
}

export const DEFAULT_SAFE_JSON_LIMITS: SafeJsonLimits = { maxDepth: 8, maxString: 2_000, maxArray: 50, maxKeys: 100, maxNodes: 5_000 };

/** JSON values only */
export type SafeJson = null | boolean | number | string | SafeJson[] | { [key: string]: SafeJson };

type Loose = Record<string, unknown>;

export function isActorRefLike(value: unknown): value is { id?: unknown; sessionId: string } {
  const v = value as Loose | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.sessionId === 'string' &&
    typeof v.send === 'function' &&
    typeof v.getSnapshot === 'function'
  );
}

export function actorLabel(ref: { id?: unknown; sessionId: string }): string {
  return `[actor ${typeof ref.id === 'string' ? ref.id : ref.sessionId}]`;
}

function capString(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(+${s.length - max} chars)`;
}

export function toSafeJson(value: unknown, limits: SafeJsonLimits = DEFAULT_SAFE_JSON_LIMITS): SafeJson {
  let nodes = 0;
  /** ancestors of the value being copied: a repeat is a cycle (a shared, acyclic value is fine) */
  const path = new Set<object>();

  function copy(v: unknown, depth: number): SafeJson | undefined {
    nodes += 1;
    if (nodes > limits.maxNodes) return '[truncated]';
    switch (typeof v) {
      case 'string':
        return capString(v, limits.maxString);
      case 'number':
        return Number.isFinite(v) ? v : String(v);
      case 'boolean':
        return v;
      case 'bigint':
        return v.toString();
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (v === null) return null;
    const obj = v as object;
    if (isActorRefLike(obj)) return actorLabel(obj);
    if (path.has(obj)) return '[circular]';
    if (obj instanceof Error) {
      const code = (obj as { code?: unknown }).code;
      return { name: obj.name, message: capString(obj.message, limits.maxString), ...(typeof code === 'string' ? { code } : {}) };
    }
    if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
    if (obj instanceof ArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`;
    if (depth >= limits.maxDepth) return Array.isArray(obj) ? `[Array(${obj.length})]` : '[Object]';
    path.add(obj);
    try {
      if (typeof (obj as Loose).toJSON === 'function' && !(obj instanceof Map) && !(obj instanceof Set)) {
        return copy((obj as { toJSON(): unknown }).toJSON(), depth) ?? null;
      }
      if (Array.isArray(obj) || obj instanceof Set) {
        const size = Array.isArray(obj) ? obj.length : obj.size;
        const items = Array.isArray(obj) ? obj.slice(0, limits.maxArray) : firstOf(obj.values(), limits.maxArray);
        const out: SafeJson[] = items.map((item) => copy(item, depth + 1) ?? null);
        if (size > limits.maxArray) out.push(`…(+${size - limits.maxArray} more)`);
        return out;
      }
      const size = obj instanceof Map ? obj.size : Object.keys(obj).length;
      const entries: [unknown, unknown][] =
        obj instanceof Map
          ? firstOf(obj.entries(), limits.maxKeys)
          : Object.keys(obj)
              .slice(0, limits.maxKeys)
              .map((k) => [k, readProperty(obj, k)]);
      const out: Record<string, SafeJson> = {};
      for (const [k, val] of entries) {
        const c = copy(val, depth + 1);
        if (c !== undefined) out[String(k)] = c;
      }
      if (size > limits.maxKeys) out['…'] = `+${size - limits.maxKeys} more keys`;
      return out;
    } catch {
      return '[unserializable]';
    } finally {
      path.delete(obj);
    }
  }

  try {
    return copy(value, 0) ?? null;
  } catch {
    return '[unserializable]';
  }
}

function firstOf<T>(iterable: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  if (n <= 0) return out;
  for (const item of iterable) {
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
}

/** a getter may throw (proxies, closed resources): read it without letting that escape */
function readProperty(obj: object, key: string): unknown {
  try {
    return (obj as Loose)[key];
  } catch {
    return '[unreadable]';
  }
}

/** JSON text of `toSafeJson(value)`; never throws */
export function safeStringify(value: unknown, limits?: SafeJsonLimits): string {
  try {
    return JSON.stringify(toSafeJson(value, limits));
  } catch {
    return '"[unserializable]"';
  }
}
