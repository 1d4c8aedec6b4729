/**
 * OKX event frames (anything with `event` and no `data`):
 * - ack, one per channel × instrument: `{"id":"7","event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"…"}`
 * - unsubscribe ack: the same with `"event":"unsubscribe"`
 * - error (no `arg`): `{"id":"7","event":"error","code":"60018","msg":"Wrong URL or channel:trades,instId:BTC-XXX doesn't exist…","connId":"…"}`
 * - `notice` (e.g. 64008 "connection will soon be closed for a service upgrade") and
 *   `channel-conn-count` (documented, informational): ignored
 * - any other event: unknown (counted in the quarantine)
 */
import { isRecord, preview } from '../common.js';
import { MalformedFrameError, type ControlMessage } from '../types.js';

/** `instId:BTC-XXX`, `"instId" : "BTC-XXX"` in an error text. Runs only on errors. */
const INST_ID_IN_TEXT = /instId\W{0,6}([A-Za-z0-9][A-Za-z0-9-]*)/g;

export function okxControl(msg: Record<string, unknown>, toUnified: (instId: string) => string): ControlMessage {
  const event = msg.event;
  if (typeof event !== 'string') throw new MalformedFrameError('frame has neither data nor event', { reason: 'unknown-kind' });
  const requestId = typeof msg.id === 'string' && msg.id !== '' ? msg.id : undefined;

  if (event === 'subscribe' || event === 'unsubscribe') {
    const arg = msg.arg;
    if (!isRecord(arg)) throw new MalformedFrameError(`${event} ack without arg`);
    const control: { kind: 'subscribed' | 'unsubscribed'; requestId?: string; symbols?: string[] } = {
      kind: event === 'subscribe' ? 'subscribed' : 'unsubscribed',
    };
    if (requestId !== undefined) control.requestId = requestId;
    // an ack without instId (channel-wide subscription) names no symbol
    if (typeof arg.instId === 'string' && arg.instId !== '') control.symbols = [toUnified(arg.instId)];
    return control;
  }
  if (event === 'error') {
    const code = typeof msg.code === 'string' || typeof msg.code === 'number' ? String(msg.code) : '';
    const text = typeof msg.msg === 'string' ? msg.msg : '';
    const reason = [code, text].filter((s) => s !== '').join(': ') || 'error';
    const rejected: ControlMessage = { kind: 'rejected', reason };
    if (requestId !== undefined) rejected.requestId = requestId;
    const symbols = instIdsNamedIn(text, toUnified);
    if (symbols.length > 0) rejected.symbols = symbols;
    return rejected;
  }
  if (event === 'notice' || event === 'channel-conn-count' || event === 'channel-conn-count-error') return { kind: 'ignored' };
  return { kind: 'unknown', what: `event ${preview(event)}` };
}

export function instIdsNamedIn(text: string, toUnified: (instId: string) => string): string[] {
  const out = new Set<string>();
  for (const match of text.matchAll(INST_ID_IN_TEXT)) {
    const instId = match[1];
    if (instId !== undefined) out.add(toUnified(instId));
  }
  return [...out];
}
