/**
 * Names on the wire (docs/cluster.md#data): subjects `tickvisor.<type>.<exchange>.<market>.<symbol>`
 * and the content-derived message ids that make a retried or doubly collected batch a duplicate.
 */
import type { ExchangeId, Market } from '../records.js';
import type { TradeColumns } from '../store/blocks/columns.js';
import { tradeIdAt } from '../store/blocks/trade-rows.js';

export const STREAM_NAME = 'TICKVISOR';
export const SUBJECT_ROOT = 'tickvisor';

/**
 * A subject token cannot hold `.`, `*`, `>` or white space; unified symbols hold `/` and `:` (fine)
 * and, rarely, a dot: those characters are %-escaped (and `%` itself), so the mapping is one-to-one.
 */
export function symbolToken(symbol: string): string {
  return symbol.replace(/[%.*>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

export function tokenSymbol(token: string): string {
  return token.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function tradeSubject(exchange: ExchangeId, market: Market, symbol: string): string {
  return `${SUBJECT_ROOT}.trade.${exchange}.${market}.${symbolToken(symbol)}`;
}

export function tickerSubject(exchange: ExchangeId, market: Market, symbol: string): string {
  return `${SUBJECT_ROOT}.ticker.${exchange}.${market}.${symbolToken(symbol)}`;
}

export function bookSubject(exchange: ExchangeId, market: Market, symbol: string): string {
  return `${SUBJECT_ROOT}.book.${exchange}.${market}.${symbolToken(symbol)}`;
}

/** the record type a subject carries (`trade`, `ticker`, `book`), or undefined for one that is not ours */
export function subjectType(subject: string): string | undefined {
  if (!subject.startsWith(`${SUBJECT_ROOT}.`)) return undefined;
  const end = subject.indexOf('.', SUBJECT_ROOT.length + 1);
  return end < 0 ? undefined : subject.slice(SUBJECT_ROOT.length + 1, end);
}

/** 32-bit FNV-1a over the ids, each followed by a separator: two batches differing in any id differ here */
export function idsHash(ids: readonly string[]): string {
  let h = FNV_OFFSET;
  for (const id of ids) h = hashId(h, id);
  return hashText(h);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashId(h: number, id: string): number {
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  h ^= 0x1f;
  return Math.imul(h, FNV_PRIME);
}

const hashText = (h: number): string => (h >>> 0).toString(16).padStart(8, '0');

/**
 * `trade.<ex>.<mkt>.<symbol>.<windowStart>.<count>.<lastId>.<hash of ids>`: the same trades in the
 * same window give the same id on every node and on every retry, so the stream keeps one copy;
 * a node that missed a trade of the window publishes a different id, and the archiver's store,
 * exactly-once by trade id, absorbs the overlap.
 */
export function tradeBatchMsgId(exchange: ExchangeId, market: Market, symbol: string, windowStart: number, ids: readonly string[]): string {
  return tradeMsgId(exchange, market, symbol, windowStart, ids.length, ids[ids.length - 1] ?? '', idsHash(ids));
}

/** tradeBatchMsgId of a window's columns: the same id as for the text of its ids, without a list of them */
export function tradeColumnsMsgId(exchange: ExchangeId, market: Market, symbol: string, windowStart: number, columns: TradeColumns): string {
  let h = FNV_OFFSET;
  for (let i = 0; i < columns.length; i++) h = hashId(h, tradeIdAt(columns, i));
  const last = columns.length > 0 ? tradeIdAt(columns, columns.length - 1) : '';
  return tradeMsgId(exchange, market, symbol, windowStart, columns.length, last, hashText(h));
}

const tradeMsgId = (exchange: ExchangeId, market: Market, symbol: string, windowStart: number, count: number, lastId: string, hash: string): string =>
  `trade.${exchange}.${market}.${symbolToken(symbol)}.${windowStart}.${count}.${lastId}.${hash}`;

/**
 * `ticker.<ex>.<mkt>.<symbol>.<first timestamp>.<count>.<hash of the tickers' event keys>`: a retry
 * gives the same id, and so does a redundant node that committed the same tickers in one batch; one
 * that batched them otherwise publishes another id, and the archiver keeps one copy of each
 * exchange event (archiver.ts).
 */
export function tickerBatchMsgId(exchange: ExchangeId, market: Market, symbol: string, firstTimestamp: number, eventKeys: readonly string[]): string {
  return `ticker.${exchange}.${market}.${symbolToken(symbol)}.${firstTimestamp}.${eventKeys.length}.${idsHash(eventKeys)}`;
}

/**
 * `book.<ex>.<mkt>.<symbol>.<first timestamp>.<count>.<hash of the rows' venue content>` (book-codec.ts
 * bookRowsHash: everything but the local times): a retry gives the same id, and so does a redundant
 * node that committed the same records in one batch; anything else reaches the archiver, which
 * keeps each venue update once (book-archive.ts).
 */
export function bookBatchMsgId(exchange: ExchangeId, market: Market, symbol: string, firstTimestamp: number, count: number, contentHash: string): string {
  return `book.${exchange}.${market}.${symbolToken(symbol)}.${firstTimestamp}.${count}.${contentHash}`;
}
