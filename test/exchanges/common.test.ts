import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_FRAME_BYTES, MAX_GUESSED_SYMBOLS, frameText, integerId, num, optNum, preview, str, symbolMapper, timestampMs, tradeId,
} from '../../src/exchanges/common.js';
import { MalformedFrameError } from '../../src/exchanges/types.js';

const malformed = (err: unknown): boolean => err instanceof MalformedFrameError && err.code === 'TV_ERR_MALFORMED_FRAME';

describe('common: the number rule', () => {
  test('num reads finite JSON numbers and plain decimal strings to the same value', () => {
    const cases: [unknown, number][] = [
      [26150.4, 26150.4], ['26150.40', 26150.4], ['-0.5', -0.5], ['0', 0], ['1e-8', 1e-8], ['1E+3', 1000], ['007', 7], ['-.5', -0.5],
    ];
    for (const [value, expected] of cases) assert.equal(num(value, 'f'), expected, String(value));
  });

  test('num reads every plain decimal string to exactly the double Number() reads', () => {
    // the short form is read without Number(): it must agree bit for bit, across digit counts
    // around the exact limit (15), fraction lengths, leading zeros, signs and zeros
    let x = 987654321;
    const rand = (n: number) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    const digits = (n: number) => Array.from({ length: n }, () => String(rand(10))).join('');
    const checked: string[] = ['0', '-0', '0.0', '-0.000', '1', '9', '0.1', '0.3', '26150.40', '999999999999999', '9999999999999999', '0.000000000000001'];
    for (let k = 0; k < 20_000; k++) {
      const whole = digits(1 + rand(10));
      const frac = rand(3) === 0 ? '' : `.${digits(1 + rand(12))}`;
      checked.push(`${rand(4) === 0 ? '-' : ''}${whole}${frac}`);
    }
    for (const text of checked) assert.ok(Object.is(num(text, 'f'), Number(text)), text);
  });

  test('num refuses what Number() would read but no exchange writes, and every non-number', () => {
    const bad: unknown[] = [
      '', ' ', ' 1', '1 ', '\t1', '+1', '.5', '5.', '0x1A', '0X10', '0b1', '0o7', 'NaN', 'Infinity', '-Infinity', '1e999', '-1e999',
      '1,5', '1_000', '١', '1'.repeat(65), Infinity, -Infinity, NaN, true, false, null, undefined, {}, [], [1], { toString: () => '1' },
    ];
    for (const value of bad) assert.throws(() => num(value, 'f'), malformed, preview(value));
  });

  test('optNum: absent, null and empty mean "not sent"; anything else follows num', () => {
    assert.equal(optNum(undefined, 'f'), undefined);
    assert.equal(optNum(null, 'f'), undefined);
    assert.equal(optNum('', 'f'), undefined);
    assert.equal(optNum('1.5', 'f'), 1.5);
    assert.throws(() => optNum('x', 'f'), malformed);
  });

  test('timestampMs: a positive safe integer, as a number or a canonical string', () => {
    assert.equal(timestampMs(1690000000120, 'T'), 1690000000120);
    assert.equal(timestampMs('1690000000120', 'T'), 1690000000120);
    for (const value of [0, -1, '-1', 1.5, '1.5', '1e12', '01690000000120', '+1', 2 ** 53, '9007199254740993', '', 'x', true, null, {}]) {
      assert.throws(() => timestampMs(value, 'T'), malformed, preview(value));
    }
  });

  test('integerId: a non-negative safe integer, returned as its canonical decimal string', () => {
    assert.equal(integerId(28457001, 't'), '28457001');
    assert.equal(integerId('28457001', 't'), '28457001');
    assert.equal(integerId(0, 't'), '0');
    for (const value of [-1, 1.5, 2 ** 53, '007', '1e3', '-1', 'abc', '', null, true, {}]) {
      assert.throws(() => integerId(value, 't'), malformed, preview(value));
    }
  });

  test('tradeId: any bounded non-empty string, or a safe non-negative integer', () => {
    assert.equal(tradeId('20f43950-d8dd-5b31-9112-a178eb6023af', 'i'), '20f43950-d8dd-5b31-9112-a178eb6023af');
    assert.equal(tradeId('2290000000071553262', 'i'), '2290000000071553262');
    assert.equal(tradeId(88123001, 'i'), '88123001');
    for (const value of ['', 'x'.repeat(129), 2290000000071553262, -1, 1.5, null, true, {}, []]) {
      assert.throws(() => tradeId(value, 'i'), malformed, preview(value));
    }
  });

  test('str: a non-empty string only (a number is not a symbol)', () => {
    assert.equal(str('BTCUSDT', 's'), 'BTCUSDT');
    for (const value of ['', 123, null, {}, []]) assert.throws(() => str(value, 's'), malformed);
  });
});

describe('common: frames and error texts', () => {
  test('frameText passes frames up to MAX_FRAME_BYTES and refuses larger ones in bytes, whatever their type', () => {
    assert.equal(frameText('x'.repeat(MAX_FRAME_BYTES)).length, MAX_FRAME_BYTES);
    assert.equal(frameText(Buffer.alloc(MAX_FRAME_BYTES, 0x61)).length, MAX_FRAME_BYTES);
    assert.throws(() => frameText('x'.repeat(MAX_FRAME_BYTES + 1)), malformed);
    assert.throws(() => frameText(Buffer.alloc(MAX_FRAME_BYTES + 1)), malformed);
    // 3 bytes each in UTF-8: under the limit in characters, over it in bytes
    assert.throws(() => frameText('가'.repeat(Math.floor(MAX_FRAME_BYTES / 3) + 1)), malformed);
    assert.equal(frameText('가'.repeat(Math.floor(MAX_FRAME_BYTES / 3))).length, Math.floor(MAX_FRAME_BYTES / 3));
  });

  test('preview never calls a value\'s own toString and keeps texts short', () => {
    assert.equal(preview({ toString: 1 }), 'an object');
    assert.equal(preview([1]), 'an array');
    assert.equal(preview(null), 'null');
    assert.equal(preview('x'.repeat(100)).length, 41);
    assert.equal(preview('x'.repeat(100), 200), 'x'.repeat(100));
  });
});

describe('common: symbolMapper', () => {
  test('ids like __proto__ and constructor are plain keys', () => {
    const map = symbolMapper([{ nativeId: 'BTCUSDT', symbol: 'BTC/USDT' }], (id) => `guess:${id}`);
    assert.equal(map('__proto__'), 'guess:__proto__');
    assert.equal(map('constructor'), 'guess:constructor');
    assert.equal(map('BTCUSDT'), 'BTC/USDT');
  });

  test('a table id is trusted; a new id with whitespace, control characters or over 64 characters is malformed', () => {
    const map = symbolMapper([{ nativeId: 'TABLE ID', symbol: 'T/T' }], (id) => id);
    assert.equal(map('TABLE ID'), 'T/T');
    assert.equal(map('币安人生USDT'), '币安人生USDT'); // Binance lists non-ASCII symbols
    for (const id of ['', 'A B', 'A\u0000', 'A\n', 'A\u007f', 'A'.repeat(65)]) assert.throws(() => map(id), malformed, JSON.stringify(id));
  });

  test('past MAX_GUESSED_SYMBOLS new ids, guesses are still made but no longer kept', () => {
    let guesses = 0;
    const map = symbolMapper(undefined, (id) => {
      guesses++;
      return id.toLowerCase();
    });
    for (let k = 0; k < MAX_GUESSED_SYMBOLS; k++) map(`ID${k}`);
    map('ID0');
    assert.equal(guesses, MAX_GUESSED_SYMBOLS, 'remembered ids are not guessed again');
    map('LATE');
    map('LATE');
    assert.equal(guesses, MAX_GUESSED_SYMBOLS + 2, 'ids past the cap are guessed every time');
    assert.equal(map('LATE'), 'late');
  });

  test('mappers of one instrument list share its listed ids; each keeps its own guesses within its own cap', () => {
    const listed = [{ nativeId: 'BTCUSDT', symbol: 'BTC/USDT' }];
    let guesses = 0;
    const guess = (id: string) => {
      guesses++;
      return id.toLowerCase();
    };
    const a = symbolMapper(listed, guess);
    const b = symbolMapper(listed, guess);
    for (let k = 0; k < MAX_GUESSED_SYMBOLS; k++) a(`ID${k}`);
    assert.equal(a('BTCUSDT'), 'BTC/USDT');
    assert.equal(b('BTCUSDT'), 'BTC/USDT');
    // a's guesses filled a's cap, not b's: b remembers its own first guess
    b('NEW');
    b('NEW');
    assert.equal(guesses, MAX_GUESSED_SYMBOLS + 1);
    // and a's guesses are not b's table: b guesses an id a already knows
    b('ID0');
    assert.equal(guesses, MAX_GUESSED_SYMBOLS + 2);
  });
});
