/**
 * A slice of a frame's text that does not keep the frame alive: the JSON path reads ids past 2^53
 * from the text (common.ts rawIntegerField), and those ids live on in the dedup window.
 */
/** V8 makes a slice of at least this many characters a view into its parent string (SlicedString). */
const SLICE_VIEW_MIN_LENGTH = 13;

/**
 * `text.slice(start, end)` as a string that does not keep `text` alive. V8 makes a longer slice a
 * view into its parent, so an id sliced from a frame would keep the whole frame in memory for as
 * long as the id lives — and ids live on in the dedup window (thousands per symbol; a Bybit frame
 * can be ~200 KB). Prefixing a character builds a cons string, and slicing that flattens it into a
 * fresh copy first: the result keeps that copy (one character longer), not the frame. Measured:
 * 2,000 ids of 36 characters from 100 KB frames kept 203 MB of heap as plain slices, 3 MB this way.
 * Shorter slices are copies already.
 */
export function ownSlice(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  return end - start < SLICE_VIEW_MIN_LENGTH ? s : (' ' + s).slice(1);
}
