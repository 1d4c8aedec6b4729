/**
 * Seeded random columns of many shapes, to round-trip through the codecs: every column form
 * (decimal at each exponent, runs, constants, raw doubles, -0, extremes) and every id kind.
 */
import { Prng } from '../../../src/prng.js';
import type { TradeIdColumn } from '../../../src/store/blocks/columns.js';

/** any float64 bit pattern that is a finite number */
export function randomDouble(rng: Prng): number {
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  do {
    u[0] = rng.int(0x100000000);
    u[1] = rng.int(0x100000000);
  } while (!Number.isFinite(f[0]!));
  return f[0]!;
}

const SPECIALS = [0, -0, 5e-324, -5e-324, 1e-8, 0.1 + 0.2, 0.3, 1 / 3, 123456.789, 1e21, 1e-21, 2 ** 53, 2 ** 51 - 1, 2 ** 51, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE * 3, 99999999.99999999, 1.7e12, 0.1, 1e15, 1e16];

type FloatStyle = (rng: Prng, i: number, prev: number) => number;

const FLOAT_STYLES: [string, (rng: Prng) => FloatStyle][] = [
  ['decimal walk', (rng) => {
    const e = rng.int(13);
    const step = 1 + rng.int(1000);
    let units = rng.int(1e6);
    return () => Number(((units += (rng.int(2 * step + 1) - step)) / 10 ** e).toFixed(e));
  }],
  ['decimal plain', (rng) => {
    const e = rng.int(13);
    const max = 10 ** (1 + rng.int(10));
    return () => Number((rng.int(max) / 10 ** e).toFixed(e));
  }],
  ['integers', (rng) => {
    const max = [10, 1e6, 2 ** 40, 2 ** 51, 2 ** 53][rng.int(5)]!;
    return () => rng.int(max) * (rng.next() < 0.2 ? -1 : 1);
  }],
  ['arithmetic', () => {
    let v = 1_700_000_000_000;
    return () => (v += 1);
  }],
  ['constant', (rng) => {
    const v = SPECIALS[rng.int(SPECIALS.length)]!;
    return () => v;
  }],
  ['raw doubles', (rng) => () => randomDouble(rng)],
  ['specials', (rng) => () => SPECIALS[rng.int(SPECIALS.length)]!],
  ['mostly decimal, one odd value', (rng) => {
    const odd = rng.int(64);
    return (_r, i) => (i === odd ? 0.1 + 0.2 : Number((rng.int(1e7) / 1e4).toFixed(4)));
  }],
  ['fractional ms', (rng) => {
    let t = 1_700_000_000_000;
    return () => (t += rng.int(5000) / 1000);
  }],
];

export function randomFloatColumn(rng: Prng, n: number): { style: string; values: Float64Array } {
  const [style, make] = FLOAT_STYLES[rng.int(FLOAT_STYLES.length)]!;
  const gen = make(rng);
  const values = new Float64Array(n);
  let prev = 0;
  for (let i = 0; i < n; i++) prev = values[i] = gen(rng, i, prev);
  return { style, values };
}

function uuid(rng: Prng): string {
  return rng.uuid();
}

const ID_STYLES: [string, (rng: Prng, n: number) => TradeIdColumn][] = [
  ['numeric consecutive', (rng, n) => {
    const start = rng.int(1e12);
    return { kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => start + i) };
  }],
  ['numeric random', (rng, n) => ({ kind: 'numeric', values: Float64Array.from({ length: n }, () => rng.int(1e15)) })],
  ['numeric 15 digits descending', (_rng, n) => ({ kind: 'numeric', values: Float64Array.from({ length: n }, (_, i) => 999_999_999_999_999 - i * 7) })],
  ['lowercase uuids', (rng, n) => ({ kind: 'string', values: Array.from({ length: n }, () => uuid(rng)) })],
  ['uppercase uuids', (rng, n) => ({ kind: 'string', values: Array.from({ length: n }, () => uuid(rng).toUpperCase()) })],
  ['lowercase uuids with one uppercase', (rng, n) => {
    const values = Array.from({ length: n }, () => uuid(rng));
    const k = rng.int(n);
    if (n > 0) values[k] = values[k]!.replace(/[a-f]/, (c) => c.toUpperCase());
    return { kind: 'string', values };
  }],
  ['17-digit ids', (rng, n) => {
    let hi = 17_103_275;
    let lo = rng.int(1e9);
    return {
      kind: 'string',
      values: Array.from({ length: n }, () => {
        lo += 1 + rng.int(50_000);
        if (lo >= 1e9) (hi += 1), (lo -= 1e9);
        return `${hi}${String(lo).padStart(9, '0')}`;
      }),
    };
  }],
  ['digit strings of any length', (rng, n) => ({
    kind: 'string',
    values: Array.from({ length: n }, () => {
      const len = 1 + rng.int(24);
      let s = String(1 + rng.int(9));
      while (s.length < len) s += String(rng.int(10));
      return rng.next() < 0.05 ? '0' : s;
    }),
  })],
  ['digit strings with leading zeros', (rng, n) => ({ kind: 'string', values: Array.from({ length: n }, () => `00${rng.int(1e6)}`) })],
  ['25+ digit strings', (rng, n) => ({ kind: 'string', values: Array.from({ length: n }, () => `1${'0'.repeat(24)}${rng.int(10)}`) })],
  ['mixed shapes', (rng, n) => ({
    kind: 'string',
    values: Array.from({ length: n }, (_, i) => [uuid(rng), String(rng.int(1e9)), `t-${i}`, '', 'ÄÖ€😀'][rng.int(5)]!),
  })],
  ['lone surrogates', (rng, n) => ({
    kind: 'string',
    values: Array.from({ length: n }, () => ['a\uD800b', '\uDC00', 'x😀y', 'plain'][rng.int(4)]!),
  })],
];

export function randomIdColumn(rng: Prng, n: number): { style: string; ids: TradeIdColumn } {
  const [style, make] = ID_STYLES[rng.int(ID_STYLES.length)]!;
  return { style, ids: make(rng, n) };
}
