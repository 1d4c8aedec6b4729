/**
 * ownSlice: the ids the trade scanners keep must not keep their frames alive (ids stay in the
 * dedup window long after the frame is gone). Measured as heap retained after a full GC, with a
 * control: plain slices of the same frames do retain them, so the measure can see retention.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ownSlice } from '../../src/exchanges/scan/own-slice.js';
import { rawIntegerField } from '../../src/exchanges/common.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FRAMES = 200;
const FRAME_CHARS = 100_000;

/** heap kept by FRAMES ids taken from FRAMES distinct 100 KB frames, in MB */
function retainedMb(take: (text: string, start: number, end: number) => string): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: string[] = [];
  for (let k = 0; k < FRAMES; k++) {
    const id = `${k}-20f43950-d8dd-5b31-9112-a178eb6023af`.slice(0, 36);
    const frame = Buffer.from(`{"i":"${id}","pad":"${'z'.repeat(FRAME_CHARS)}"}`).toString();
    kept.push(take(frame, 6, 42));
  }
  gc();
  const mb = (process.memoryUsage().heapUsed - before) / 1e6;
  assert.equal(kept.length, FRAMES);
  return mb;
}

test('ownSlice gives the same text as slice, for short and long slices', () => {
  const text = '{"i":"20f43950-d8dd-5b31-9112-a178eb6023af","s":"BTCUSDT"}';
  for (const [a, b] of [[6, 42], [49, 56], [0, 0], [0, text.length]] as const) assert.equal(ownSlice(text, a, b), text.slice(a, b));
});

test('ids kept from frames do not keep the frames alive (plain slices do)', () => {
  const plain = retainedMb((t, a, b) => t.slice(a, b));
  const own = retainedMb(ownSlice);
  // 200 frames of 100 KB: ~20 MB when each id pins its frame, well under 1 MB otherwise
  assert.ok(plain > 10, `control: plain slices retained only ${plain.toFixed(1)} MB — the measure cannot see retention`);
  assert.ok(own < 3, `ownSlice ids retained ${own.toFixed(1)} MB`);
});

test('the digits the JSON path reads from the text for ids past 2^53 do not keep the frame alive either', () => {
  // `{"i":"…` puts the id at 6..42; here `{"i":17883351803770004,…` puts 17 digits at 5..22
  const own = retainedMb((t) => rawIntegerField(t.replace(/^\{"i":"[^"]*"/, '{"i":17883351803770004'), 'i') ?? '');
  assert.ok(own < 3, `rawIntegerField digits retained ${own.toFixed(1)} MB`);
});
