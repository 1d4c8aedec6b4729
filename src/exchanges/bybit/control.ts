/**
 * Bybit control frames (anything with `op` and no `topic`):
 * - ack:    `{"success":true,"ret_msg":"","conn_id":"…","req_id":"10","op":"subscribe"}`
 * - reject: `{"success":false,"ret_msg":"Invalid symbol :[publicTrade.XYZUSDT]",…,"req_id":"10","op":"subscribe"}`
 * - pong:   spot `{"success":true,"ret_msg":"pong","conn_id":"…","op":"ping"}`,
 *           linear/private `{"op":"pong","args":["1675418560633"],"conn_id":"…","req_id":"…"}`
 *           (the docs show both shapes; we accept both on every market)
 */
import { MalformedFrameError, type ControlMessage } from '../types.js';

/** `publicTrade.BTCUSDT` / `tickers.BTCUSDT` named in an error text. Runs only on rejections. */
const TOPIC_IN_TEXT = /(?:publicTrade|tickers)\.([A-Za-z0-9]+)/g;

export function bybitControl(
  msg: Record<string, unknown>,
  toUnified: (nativeId: string) => string,
): ControlMessage {
  const op = msg.op;
  if (typeof op !== 'string') throw new MalformedFrameError('frame has neither topic nor op', { reason: 'unknown-kind' });
  if (op === 'pong') return { kind: 'pong' };
  if (op === 'ping') return msg.ret_msg === 'pong' || msg.success === true ? { kind: 'pong' } : { kind: 'ignored' };
  // we send only ping, subscribe and unsubscribe: an answer to anything else is news
  if (op !== 'subscribe' && op !== 'unsubscribe') return { kind: 'unknown', what: `op ${op.length > 40 ? `${op.slice(0, 40)}…` : op}` };

  const requestId = typeof msg.req_id === 'string' && msg.req_id !== '' ? msg.req_id : undefined;
  if (msg.success === true) {
    const kind = op === 'subscribe' ? 'subscribed' : 'unsubscribed';
    return requestId === undefined ? { kind } : { kind, requestId };
  }
  if (msg.success !== false) throw new MalformedFrameError(`${op} answer without success flag`);

  const reason = typeof msg.ret_msg === 'string' && msg.ret_msg !== '' ? msg.ret_msg : `${op} failed`;
  const symbols = symbolsNamedIn(reason, toUnified);
  const rejected: ControlMessage = { kind: 'rejected', reason };
  if (requestId !== undefined) rejected.requestId = requestId;
  if (symbols.length > 0) rejected.symbols = symbols;
  return rejected;
}

/** Unified symbols of the topics an error text names; empty when it names none (the whole request failed). */
export function symbolsNamedIn(text: string, toUnified: (nativeId: string) => string): string[] {
  const out = new Set<string>();
  for (const match of text.matchAll(TOPIC_IN_TEXT)) {
    const nativeId = match[1];
    if (nativeId !== undefined) out.add(toUnified(nativeId));
  }
  return [...out];
}
