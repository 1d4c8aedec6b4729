/**
 * Differential testing of a parser's fast path (hand-written scanner) against its JSON.parse path:
 * one frame through both parsers must give deep-equal results, or throw the same error (message,
 * failure reason). Plus a seeded generator of frame variants: random key orders, odd values,
 * missing / repeated / extra fields, whitespace, truncations.
 */
import assert from 'node:assert/strict';
import { MalformedFrameError, type FrameParser } from '../../../src/exchanges/types.js';

export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; name: string; message: string; reason: string | undefined };

export function outcome(parser: FrameParser, frame: string, local: number): Outcome {
  try {
    return { ok: true, value: parser.parse(frame, local) };
  } catch (error) {
    const e = error as Error;
    return { ok: false, name: e.name, message: e.message, reason: error instanceof MalformedFrameError ? error.reason : undefined };
  }
}

/** Asserts both parsers treat `frame` the same; returns the outcome. */
export function assertSame(fast: FrameParser, slow: FrameParser, frame: string, local: number): Outcome {
  const a = outcome(fast, frame, local);
  const b = outcome(slow, frame, local);
  assert.deepStrictEqual(a, b, `fast and JSON.parse paths differ on ${JSON.stringify(frame)}`);
  return a;
}

/** mulberry32: a small seeded generator, so a failure names a frame that can be reproduced */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;

export function shuffle<T>(r: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** one field of a generated object: its key and its value as JSON text */
export type Field = [key: string, valueText: string];

export const objectText = (fields: readonly Field[]): string => `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

/** decimal-field values no venue writes, or writes rarely: each must be read (or refused) alike */
export const ODD_DECIMALS = [
  '".5"', '"1."', '""', '"0x1A"', '"NaN"', '"Infinity"', '"1e999"', '" 1"', '"1 "', '"+1"', '"1,5"', '"0b1"', '"-.5"', '"-"', '"00.1"',
  '"1e-8"', '"1E+2"', '"-0.5"', '"0"', '"0.00000000"', '"1234567890123456"', '"0.1234567890123456789"', '"123456789012345.6"',
  '"26150\\u002e4"', '26150.4', '1e-8', 'null', 'true', '{}', '[]', '"１"', '"\u0000"',
];
/** integer-id values: past 2^53, past 40 digits, not canonical, not numbers */
export const ODD_IDS = [
  '0', '00', '-1', '1.0', '1e3', '-0', '9007199254740991', '9007199254740992', '9007199254740993', '17883351803770004',
  '1234567890123456789012345678901234567890', '12345678901234567890123456789012345678901', '"123"', '"01"', '""', 'null', 'true', '[1]', '{}',
];
/** timestamp values: zero, negative, fractions, exponents, 16 digits, past 2^53, strings */
export const ODD_TIMESTAMPS = [
  '0', '-1', '1.69e12', '1690000000120.0', '01690000000120', '1690000000120000', '9007199254740991', '9007199254740993',
  '99999999999999999', '"1690000000120"', '"01"', 'null', '1e3', '1', '999999999999999',
];
/** string values with escapes, unicode, control characters, lone surrogates, or not strings */
export const ODD_STRINGS = [
  '""', '"A B"', '"__proto__"', '"BTC\\u0055SDT"', '"BTC\\"USDT"', '"BTC\\\\USDT"', `"${'X'.repeat(70)}"`, '"\\ud800USDT"', '"\ud800USDT"',
  '"币安人生USDT"', '"😀USDT"', '"\u0001"', '"\u007f"', '1', 'null', '{}', '[]',
];

/** a random decimal string of the kinds venues write, and of the kinds they do not */
export function decimalValue(r: () => number): string {
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
  const plain = () => `${Math.floor(r() * 100000)}.${digits(1 + Math.floor(r() * 8))}`;
  switch (Math.floor(r() * 14)) {
    case 0: return `"${digits(1 + Math.floor(r() * 12))}.${digits(1 + Math.floor(r() * 20))}"`; // long: past 15 digits
    case 1: return `"${1 + Math.floor(r() * 9)}e-${1 + Math.floor(r() * 9)}"`;
    case 2: return `"${plain()}E+${Math.floor(r() * 3)}"`;
    case 3: return `"-${plain()}"`;
    case 4: return pick(r, ODD_DECIMALS);
    case 5: return plain(); // a JSON number where a string is expected
    case 6: return `"${plain().replace('.', '\\u002e')}"`; // an escape
    case 7: return pick(r, ['null', 'true', '{}', '[]', '"0"', '"0.00000000"']);
    case 8: return `"${digits(16)}"`;
    default: return `"${plain()}"`;
  }
}

/** a random integer id: mostly plain, some past 2^53, some not ids at all */
export function integerIdValue(r: () => number): string {
  const digits = (n: number) => `${1 + Math.floor(r() * 9)}${Array.from({ length: n - 1 }, () => String(Math.floor(r() * 10))).join('')}`;
  switch (Math.floor(r() * 10)) {
    case 0: return digits(16 + Math.floor(r() * 30)); // past 2^53, some past the 40-digit limit
    case 1: return pick(r, ODD_IDS);
    case 2: return `"${digits(1 + Math.floor(r() * 20))}"`; // a string where a number is usual
    case 3: return pick(r, ['null', 'true', '"01"', '""', '[1]']);
    default: return digits(1 + Math.floor(r() * 12));
  }
}

/** a random ms timestamp, mostly valid */
export function timestampValue(r: () => number): string {
  switch (Math.floor(r() * 8)) {
    case 0: case 1: return pick(r, ODD_TIMESTAMPS);
    default: return String(1_600_000_000_000 + Math.floor(r() * 100_000_000_000));
  }
}

/** Text-level damage any frame can take: truncation, whitespace between tokens, a trailing byte. */
export function damage(r: () => number, text: string): string {
  switch (Math.floor(r() * 5)) {
    case 0: return text.slice(0, Math.floor(r() * text.length));
    case 1: {
      const at = [...text.matchAll(/[,:{[]/g)].map((m) => (m.index ?? 0) + 1);
      const k = pick(r, at.length > 0 ? at : [0]);
      return `${text.slice(0, k)}${pick(r, [' ', '\n', '\t', '\r'])}${text.slice(k)}`;
    }
    case 2: return `${text}${pick(r, [' ', '\n', 'x', '}', ',', '{}'])}`;
    case 3: return `${pick(r, [' ', '[', '\uFEFF'])}${text}`;
    default: {
      const k = Math.floor(r() * text.length);
      return `${text.slice(0, k)}${pick(r, ['"', '\\', '\u0001', '}', ']', ','])}${text.slice(k + 1)}`;
    }
  }
}

/** Field-level variation: drop one, repeat one, add one (scalar or nested). */
export function varyFields(r: () => number, fields: Field[]): Field[] {
  const out = [...fields];
  switch (Math.floor(r() * 4)) {
    case 0:
      out.splice(Math.floor(r() * out.length), 1);
      break;
    case 1: {
      const f = pick(r, out);
      out.splice(Math.floor(r() * (out.length + 1)), 0, r() < 0.5 ? f : [f[0], pick(r, ['1', '"x"', 'null', 'false'])]);
      break;
    }
    case 2:
      out.splice(Math.floor(r() * (out.length + 1)), 0, [pick(r, ['X', 'nq', 'zz', '__proto__', 'stream', 'data', 'constructor', 'ü']), pick(r, ['1', '-2.5e-3', '"a"', 'null', 'true', '{"k":1}', '[1,2]', '"ü€😀"'])]);
      break;
    default:
      break;
  }
  return out;
}
