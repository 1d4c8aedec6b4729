/**
 * Bybit and OKX wrap every REST answer in an envelope with the exchange's own result code
 * (`{retCode, retMsg, result}` / `{code, msg, data}`). One check for both: a non-200 status or a
 * code other than "0" (rate limits arrive this way too) is an ExchangeHttpError carrying that code;
 * a body without the code is an ExchangeResponseError.
 */
import { isRecord } from './common.js';
import { ExchangeHttpError, ExchangeResponseError } from './errors.js';
import type { RestClient } from './types.js';

export async function getEnvelope(
  http: RestClient,
  url: string,
  fields: { code: string; msg: string },
): Promise<Record<string, unknown>> {
  const response = await http(url);
  const body = response.body;
  const rawCode = isRecord(body) ? body[fields.code] : undefined;
  const rawMsg = isRecord(body) ? body[fields.msg] : undefined;
  const code = typeof rawCode === 'number' || typeof rawCode === 'string' ? String(rawCode) : undefined;
  const msg = typeof rawMsg === 'string' && rawMsg !== '' ? rawMsg : undefined;
  if (response.status !== 200) throw new ExchangeHttpError(url, response.status, code, msg);
  if (code === undefined) throw new ExchangeResponseError(url, `no ${fields.code} in the body`);
  if (code !== '0') throw new ExchangeHttpError(url, 200, code, msg);
  return body as Record<string, unknown>;
}
