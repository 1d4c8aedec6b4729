/**
 * Visits records from a store read, synchronously when the source can be read so. `for await`
 * costs a promise and a microtask turn per record, which capped reads near 2-3M records/s; the
 * store's reads are synchronous underneath (RangeRecords), a test's stand-in may be async only.
 */

/** `visit` returns `false` to stop early; a promise returned is awaited before the next record */
export type RecordVisitor<T> = (record: T) => void | boolean | Promise<void | boolean>;

export async function eachRecord<T>(source: Iterable<T> | AsyncIterable<T>, visit: RecordVisitor<T>): Promise<void> {
  if (Symbol.iterator in source) {
    for (const record of source) {
      let answer = visit(record);
      // awaiting only what is a promise (the one object a visitor returns): a synchronous visitor
      // costs no microtask per record
      if (typeof answer === 'object') answer = await answer;
      if (answer === false) return;
    }
    return;
  }
  for await (const record of source) {
    if ((await visit(record)) === false) return;
  }
}
