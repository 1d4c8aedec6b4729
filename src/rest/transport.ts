/** What the REST client needs from HTTP: one GET, its status, headers and text (injected, see http-client.ts). */
export interface RawResponse {
  status: number;
  /** lower-case header names; repeated headers joined with ", " */
  headers: Record<string, string | undefined>;
  text: string;
}

/** Sends one GET; rejects only for network errors, timeouts and aborts (an error with a `code`). */
export type HttpTransport = (url: string, timeoutMs: number, signal?: AbortSignal) => Promise<RawResponse>;

export const USER_AGENT = 'tickvisor/0.1';
