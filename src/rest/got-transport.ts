/**
 * A GET through got, for those who want got's behaviour (`createHttpClient({ transport: gotTransport })`).
 * Not the default: got is imported on first use only, since importing it costs ~19 MB of resident
 * memory (node-transport.ts). got's own retry is off and HTTP errors do not throw, because the
 * retry policy is ours (http-client.ts): got would retry a 429 on its own schedule and hide the
 * waits from us.
 */
import { USER_AGENT, type HttpTransport } from './transport.js';

export const gotTransport: HttpTransport = async (url, timeoutMs, signal) => {
  const { default: got } = await import('got');
  const response = await got(url, {
    method: 'GET',
    retry: { limit: 0 },
    throwHttpErrors: false,
    timeout: { request: timeoutMs },
    responseType: 'text',
    headers: { 'user-agent': USER_AGENT, accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { status: response.statusCode, headers, text: response.body };
};
