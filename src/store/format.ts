/**
 * The store's format version, in the `meta` DB under "format". Format 1 (tickvisor 0.1) kept one
 * key per record in a `records` DB and had no version; format 2 keeps blocks of columns; format 3
 * adds the trade journal (journal.ts), whose rows a format-2 reader would not see. A format-2 store
 * is a format-3 store with an empty journal: a writer marks it 3 when it opens it. A store in
 * another format is refused at open in one line that says what to do; `tickvisor migrate` turns
 * format 1 into the current one (migrate.ts).
 */
import type { Database, DatabaseOptions, Key, RootDatabase } from 'lmdb';
import { StoreError } from './errors.js';
import { V1_RECORDS_DB } from './v1/keys.js';

export const STORE_FORMAT = 3;
/** blocks without the journal: read as they are, marked current by the first writer */
export const JOURNAL_LESS_FORMAT = 2;
export const FORMAT_KEY = 'format';
export const META_DB = 'meta';

export type StoreMeta = Database<unknown, string>;

/** a named DB when it exists, undefined when not (lmdb-js's `create: false`, missing from its .d.ts) */
export function openExistingDb<V>(root: RootDatabase, name: string, encoding: 'binary' | 'msgpack'): Database<V, Key> | undefined {
  return root.openDB<V, Key>({ name, encoding, create: false } as DatabaseOptions & { name: string }) as Database<V, Key> | undefined;
}

/**
 * 'current', 'journal-less' (format 2: current but for the version), 'v1' (written by 0.1, records
 * present), 'empty' (nothing stored yet), or a newer number
 */
export type FormatState = 'current' | 'journal-less' | 'v1' | 'empty' | { newer: number };

export function storeFormat(root: RootDatabase): FormatState {
  const meta = openExistingDb<unknown>(root, META_DB, 'msgpack') as StoreMeta | undefined;
  const format = meta?.get(FORMAT_KEY);
  if (format === STORE_FORMAT) return 'current';
  if (format === JOURNAL_LESS_FORMAT) return 'journal-less';
  if (typeof format === 'number' && format > STORE_FORMAT) return { newer: format };
  // no version: 0.1 wrote none; it is a 0.1 store when its records DB holds anything
  const records = openExistingDb<Uint8Array>(root, V1_RECORDS_DB, 'binary');
  if (records !== undefined) {
    for (const key of records.getKeys({ limit: 1 })) {
      void key;
      return 'v1';
    }
  }
  return 'empty';
}

/** throws the one-line refusal for a store this version cannot open as it is */
export function assertCurrentFormat(state: FormatState, path: string): void {
  if (state === 'v1') {
    throw new StoreError(
      'TV_ERR_STORE_FORMAT',
      `the store at ${path} was written by tickvisor 0.1 (store format 1); convert it with: tickvisor migrate --db ${path}`,
      { userError: true },
    );
  }
  if (typeof state === 'object') {
    throw new StoreError(
      'TV_ERR_STORE_FORMAT',
      `the store at ${path} is in store format ${state.newer}, written by a newer tickvisor; this one reads format ${STORE_FORMAT}: upgrade tickvisor to read it`,
      { userError: true },
    );
  }
}

export function markCurrentFormat(root: RootDatabase): void {
  const meta = root.openDB<unknown, string>({ name: META_DB, encoding: 'msgpack' });
  root.transactionSync(() => meta.putSync(FORMAT_KEY, STORE_FORMAT));
}
