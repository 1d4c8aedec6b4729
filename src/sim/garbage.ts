/**
 * Malformed frames for the 'malformed' fault, derived from a real frame so each venue's
 * garbage looks like its own traffic: alternately truncated JSON and JSON whose numeric
 * fields carry the wrong types (what a parser must reject without dying).
 */
export function corruptFrame(frame: string, n: number): string {
  if (n % 2 === 0) return frame.slice(0, Math.max(1, Math.floor(frame.length / 2)));
  try {
    return JSON.stringify(wrongTypes(JSON.parse(frame)));
  } catch {
    return '{"broken":';
  }
}

function wrongTypes(value: unknown): unknown {
  if (typeof value === 'number') return { not: 'a number' };
  if (typeof value === 'string') return value !== '' && Number.isFinite(Number(value)) ? [value] : value;
  if (Array.isArray(value)) return value.map(wrongTypes);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = wrongTypes(v);
    return out;
  }
  return value;
}
