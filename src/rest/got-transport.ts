/**
 * The one place that performs HTTP: a single GET through got, nothing more.
 * got's own retry is off and HTTP errors do not throw, because the retry policy is ours
 * (http-client.ts): got would retry a 429 on its own schedule and hide the waits from us.
 */
import got from 'got';

export interface RawResponse {
  status: number;
  /** lower-case header names; repeated headers joined with ", " */
  headers: Record<string, string | undefined>;
  text: string;
}

/** Sends one GET; rejects only for network errors and timeouts (got's RequestError, with `code`). */
export type HttpTransport = (url: string, timeoutMs: number, signal?: AbortSignal) => Promise<RawResponse>;

export const USER_AGENT = 'tickvisor/0.1';

export const gotTransport: HttpTransport = async (url, timeoutMs, signal) => {
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
