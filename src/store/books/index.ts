/** Order books in the store: BookSink writes, bookAt / readBookRange read (see keys.ts for the layout). */
export { BookSink, type BookSinkOptions, type BookSinkStats } from './sink.js';
export { bookAt, readBookRange, DEFAULT_BOOK_DEPTH, type BookAt, type BookAtQuery, type BookRangeQuery, type BookRecords, type StoredBook, type UnsyncedBook } from './read.js';
export { storedBookAt, storedBookRange } from './history.js';
export { openBookDbs, openExistingBookDbs, BOOK_RECORDS_DB, BOOK_SYNCS_DB, type BookDbs } from './keys.js';
export { listBookSeries, type BookSeries } from './list.js';
