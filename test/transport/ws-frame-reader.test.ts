/**
 * The WebSocket frame reader on bytes built by hand: every way a stream of frames can be cut into
 * socket chunks gives the same messages; fragments, interleaved control frames and the three
 * payload-length forms; and every frame a client must refuse, refused with its close code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader, type FrameEvents } from '../../src/transport/ws-frame-reader.js';
import { encodeClientFrame } from '../../src/transport/ws-client.js';

/** a server frame (unmasked): FIN, opcode, payload; `raw` overrides the first two header bits */
function frame(op: number, payload: Buffer | string, options: { fin?: boolean; rsv?: number; mask?: boolean } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const n = body.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (options.fin === false ? 0 : 0x80) | ((options.rsv ?? 0) << 4) | op;
  const maskBit = options.mask ? 0x80 : 0;
  if (n < 126) head[1] = maskBit | n;
  else if (n < 0x10000) {
    head[1] = maskBit | 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = maskBit | 127;
    head.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    head.writeUInt32BE(n >>> 0, 6);
  }
  return Buffer.concat(options.mask ? [head, Buffer.alloc(4), body] : [head, body]);
}

type Event = [string, ...unknown[]];

function reader(maxPayload = 1 << 20): { r: FrameReader; events: Event[] } {
  const events: Event[] = [];
  const on: FrameEvents = {
    text: (t) => events.push(['text', t]),
    binary: (b) => events.push(['binary', Buffer.from(b).toString('hex')]),
    ping: (b) => events.push(['ping', b.toString()]),
    pong: (b) => events.push(['pong', b.toString()]),
    close: (code, reason) => events.push(['close', code, reason]),
    fail: (code, message) => events.push(['fail', code, message]),
  };
  return { r: new FrameReader(on, maxPayload), events };
}

function read(bytes: Buffer, cuts: number[] = [], maxPayload?: number): Event[] {
  const { r, events } = reader(maxPayload);
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    r.push(bytes.subarray(at, c));
    at = c;
  }
  return events;
}

const long = 'x'.repeat(300);
const huge = 'é'.repeat(40_000); // 80,000 bytes: the 64-bit length form
const stream = Buffer.concat([
  frame(0x1, '{"e":"trade","p":"1.5"}'),
  frame(0x1, long),
  frame(0x9, 'are you there'),
  frame(0x2, Buffer.from([0, 1, 2, 255])),
  frame(0x1, 'first ', { fin: false }),
  frame(0xa, 'pong inside a message'),
  frame(0x0, 'second ', { fin: false }),
  frame(0x0, 'third'),
  frame(0x1, huge),
  frame(0x1, '한글 text'),
  frame(0x8, Buffer.concat([Buffer.from([0x0f, 0xa1]), Buffer.from('bye')])),
]);
const expected: Event[] = [
  ['text', '{"e":"trade","p":"1.5"}'],
  ['text', long],
  ['ping', 'are you there'],
  ['binary', '000102ff'],
  ['pong', 'pong inside a message'],
  ['text', 'first second third'],
  ['text', huge],
  ['text', '한글 text'],
  ['close', 4001, 'bye'],
];

describe('ws frame reader', () => {
  test('a stream in one chunk', () => {
    assert.deepEqual(read(stream), expected);
  });

  test('the same stream cut at every byte boundary of its first 400 bytes, and into 1-byte and 7-byte pieces', () => {
    for (let cut = 1; cut < 400; cut++) assert.deepEqual(read(stream, [cut]), expected, `cut at ${cut}`);
    const ones = Array.from({ length: 600 }, (_, i) => i + 1);
    assert.deepEqual(read(stream, ones), expected);
    const sevens = Array.from({ length: Math.floor(stream.length / 7) }, (_, i) => (i + 1) * 7);
    assert.deepEqual(read(stream, sevens), expected);
  });

  test('a valid U+FFFD in a text frame is text; bytes that are not UTF-8 fail with 1007 and nothing after is read', () => {
    assert.deepEqual(read(frame(0x1, 'a\uFFFDb')), [['text', 'a\uFFFDb']]);
    const bad = Buffer.concat([frame(0x1, Buffer.from([0x7b, 0xff, 0x7d])), frame(0x1, 'later')]);
    const events = read(bad);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]!.slice(0, 2), ['fail', 1007]);
    // a fragmented message is checked whole (a character may straddle two fragments)
    const euro = Buffer.from('€', 'utf8');
    assert.deepEqual(read(Buffer.concat([frame(0x1, euro.subarray(0, 1), { fin: false }), frame(0x0, euro.subarray(1))])), [['text', '€']]);
  });

  const refusals: Array<[string, Buffer, number]> = [
    ['a masked server frame', frame(0x1, 'hi', { mask: true }), 1002],
    ['reserved bits (no extension negotiated)', frame(0x1, 'hi', { rsv: 4 }), 1002],
    ['an unknown data opcode', frame(0x3, 'hi'), 1002],
    ['an unknown control opcode', frame(0xb, 'hi'), 1002],
    ['a fragmented control frame', frame(0x9, 'hi', { fin: false }), 1002],
    ['a control frame over 125 bytes', frame(0x9, 'p'.repeat(126)), 1002],
    ['a continuation with nothing to continue', frame(0x0, 'hi'), 1002],
    ['a new message inside a fragmented one', Buffer.concat([frame(0x1, 'a', { fin: false }), frame(0x1, 'b')]), 1002],
    ['a close frame with a 1-byte body', frame(0x8, Buffer.from([3])), 1002],
    ['a close frame with a reserved code (1005)', frame(0x8, Buffer.from([0x03, 0xed])), 1002],
    ['a close reason that is not UTF-8', frame(0x8, Buffer.from([0x03, 0xe8, 0xff])), 1007],
  ];
  for (const [what, bytes, code] of refusals) {
    test(`refused: ${what} (${code})`, () => {
      const events = read(Buffer.concat([bytes, frame(0x1, 'after')]));
      assert.equal(events.length, 1, JSON.stringify(events));
      assert.deepEqual(events[0]!.slice(0, 2), ['fail', code]);
    });
  }

  test('a close frame without a body reports 1005; nothing after a close frame is read', () => {
    assert.deepEqual(read(Buffer.concat([frame(0x8, ''), frame(0x1, 'after the close')])), [['close', 1005, '']]);
  });

  test('a message over the limit fails with 1009 as soon as its header is read, its payload never held', () => {
    const big = frame(0x1, 'y'.repeat(5_000));
    // only the header and a few payload bytes arrive: the failure does not wait for the rest
    assert.deepEqual(read(big.subarray(0, 10), [4], 1_000).map((e) => e.slice(0, 2)), [['fail', 1009]]);
    // fragments count together
    const parts = Buffer.concat([frame(0x1, 'z'.repeat(600), { fin: false }), frame(0x0, 'z'.repeat(600))]);
    assert.deepEqual(read(parts, [], 1_000).map((e) => e.slice(0, 2)), [['fail', 1009]]);
    // a length past 2^53
    const absurd = Buffer.from([0x81, 127, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    assert.deepEqual(read(absurd).map((e) => e.slice(0, 2)), [['fail', 1009]]);
  });

  test('a client frame is masked, and unmasks to its payload in all three length forms', () => {
    for (const n of [0, 5, 125, 126, 65_535, 65_536, 70_000]) {
      const payload = Buffer.alloc(n, 0x61 + (n % 26));
      const f = encodeClientFrame(0x1, payload);
      assert.equal(f[0], 0x81);
      assert.ok(((f[1] as number) & 0x80) !== 0, 'mask bit');
      const short = (f[1] as number) & 0x7f;
      const header = short < 126 ? 2 : short === 126 ? 4 : 10;
      const length = short < 126 ? short : short === 126 ? f.readUInt16BE(2) : f.readUInt32BE(2) * 2 ** 32 + f.readUInt32BE(6);
      assert.equal(length, n);
      const key = f.subarray(header, header + 4);
      const body = Buffer.from(f.subarray(header + 4));
      for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i & 3] as number);
      assert.ok(body.equals(payload), `payload of ${n} bytes`);
    }
  });
});

describe('text offered as bytes first', () => {
  test('a frame the receiver takes from its bytes is not decoded; one it leaves is, in order; bytes are the frame exactly, however the stream is cut', () => {
    const frames = ['{"take":1}', 'left as text', '{"take":2}', long, '{"take":3}'];
    const bytes = Buffer.concat([...frames.slice(0, 3).map((f) => frame(0x1, f)), frame(0x1, long.slice(0, 100), { fin: false }), frame(0x0, long.slice(100)), frame(0x1, frames[4] as string)]);
    for (const cuts of [[], [1], [5, 17], [30, 31, 32], [bytes.length - 1]]) {
      const events: Event[] = [];
      const on: FrameEvents = {
        textBytes: (b, start, end) => {
          const text = b.toString('utf8', start, end);
          if (!text.startsWith('{"take"')) return false;
          events.push(['bytes', text]);
          return true;
        },
        text: (t) => events.push(['text', t]),
        binary: () => events.push(['binary']),
        ping: () => events.push(['ping']),
        pong: () => events.push(['pong']),
        close: (code) => events.push(['close', code]),
        fail: (code, message) => events.push(['fail', code, message]),
      };
      const r = new FrameReader(on, 1 << 20);
      let at = 0;
      for (const c of [...cuts, bytes.length]) {
        r.push(bytes.subarray(at, c));
        at = c;
      }
      assert.deepEqual(events, [['bytes', '{"take":1}'], ['text', 'left as text'], ['bytes', '{"take":2}'], ['text', long], ['bytes', '{"take":3}']], `cuts ${cuts}`);
    }
  });

  test('a frame left by the receiver is still checked as UTF-8: bad bytes fail the connection (1007)', () => {
    const events: Event[] = [];
    const on: FrameEvents = {
      textBytes: () => false,
      text: (t) => events.push(['text', t]),
      binary: () => {},
      ping: () => {},
      pong: () => {},
      close: () => {},
      fail: (code) => events.push(['fail', code]),
    };
    new FrameReader(on, 1 << 20).push(frame(0x1, Buffer.from([0x7b, 0xff, 0x7d])));
    assert.deepEqual(events, [['fail', 1007]]);
  });
});
