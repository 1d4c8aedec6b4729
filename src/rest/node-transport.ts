/**
 * The default HTTP transport: one GET through node:http/node:https, nothing more.
 *
 * Why not got (the webhook's client, got-transport.ts): importing got costs a collector ~19 MB of
 * resident memory whatever it collects (its dependency @sindresorhus/is builds two
 * Intl.ListFormat at import, which maps ICU's locale data; http2-wrapper loads the http2 stack),
 * against ~3 MB for node:https. A REST call here is a plain GET of JSON: no cookies, no
 * pagination, no retries (the policy is ours, http-client.ts), so what got would add is its size.
 * See docs/architecture.md#memory.
 *
 * What it does do, as got did: follows a few redirects, decompresses gzip/deflate/br, keeps
 * connections alive (node's global agents), rejects only for network errors, timeouts and aborts,
 * each with a `code`. Bodies are capped (MAX_BODY_BYTES): a venue that streams without end must
 * not take the process's memory with it.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { USER_AGENT, type HttpTransport, type RawResponse } from './transport.js';

/** the most a response body may hold, decompressed (the largest REST answer here is a 5,000-level depth snapshot: ~300 KB) */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/** a network failure, timeout or abort, coded like node's own (ECONNRESET, ETIMEDOUT, …) */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
  }
}

export const nodeTransport: HttpTransport = (url, timeoutMs, signal) => {
  return new Promise<RawResponse>((resolve, reject) => {
    let settled = false;
    let current: { destroy(error?: Error): void } | undefined;
    const finish = (error: Error | undefined, response?: RawResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        current?.destroy();
        reject(error);
      } else resolve(response as RawResponse);
    };
    const timer = setTimeout(() => finish(new TransportError('ETIMEDOUT', `GET ${url}: no complete response within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => finish(new TransportError('ABORT_ERR', `GET ${url}: aborted`));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const get = (target: URL, redirectsLeft: number): void => {
      const request = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
      if (!request) return finish(new TransportError('ERR_INVALID_PROTOCOL', `GET ${target.href}: unsupported protocol ${target.protocol}`));
      const req = request(target, {
        method: 'GET',
        headers: { 'user-agent': USER_AGENT, accept: 'application/json', 'accept-encoding': 'gzip, deflate, br' },
      });
      current = req;
      req.on('error', (error: NodeJS.ErrnoException) => finish(new TransportError(error.code ?? 'ERR_NETWORK', `GET ${target.href}: ${error.message}`, { cause: error })));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && status !== 304 && location !== undefined) {
          res.resume();
          if (redirectsLeft === 0) return finish(new TransportError('ERR_TOO_MANY_REDIRECTS', `GET ${url}: more than ${MAX_REDIRECTS} redirects`));
          let next: URL;
          try {
            next = new URL(location, target);
          } catch {
            return finish(new TransportError('ERR_INVALID_REDIRECT', `GET ${target.href}: redirect to an invalid URL`));
          }
          return get(next, redirectsLeft - 1);
        }
        readBody(res, target.href, (error, text) => {
          if (error) return finish(error);
          finish(undefined, { status, headers: headersOf(res), text: text as string });
        });
      });
      req.end();
    };

    let first: URL;
    try {
      first = new URL(url);
    } catch {
      return finish(new TransportError('ERR_INVALID_URL', `GET ${url}: not a valid URL`));
    }
    get(first, MAX_REDIRECTS);
  });
};

/** lower-case names (node gives them so); repeated headers joined with ", " */
function headersOf(res: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(res.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function readBody(res: IncomingMessage, href: string, done: (error: Error | undefined, text?: string) => void): void {
  const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let body: Readable = res;
  if (encoding === 'gzip' || encoding === 'x-gzip') body = res.pipe(createGunzip());
  else if (encoding === 'deflate') body = res.pipe(createInflate());
  else if (encoding === 'br') body = res.pipe(createBrotliDecompress());
  else if (encoding !== 'identity' && encoding !== '') {
    res.resume();
    return done(new TransportError('ERR_CONTENT_ENCODING', `GET ${href}: unsupported content-encoding ${encoding}`));
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  let ended = false;
  const fail = (error: Error): void => {
    if (ended) return;
    ended = true;
    res.destroy();
    if (body !== res) body.destroy();
    done(error);
  };
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_BODY_BYTES) return fail(new TransportError('ERR_BODY_TOO_LARGE', `GET ${href}: body over ${MAX_BODY_BYTES} bytes`));
    chunks.push(chunk);
  });
  const onError = (error: NodeJS.ErrnoException): void => fail(new TransportError(error.code ?? 'ERR_BODY', `GET ${href}: ${error.message}`, { cause: error }));
  body.on('error', onError);
  if (body !== res) res.on('error', onError);
  // the connection closed before the body was whole (a reset mid-body)
  res.on('close', () => {
    if (!res.complete) fail(new TransportError('ECONNRESET', `GET ${href}: connection closed mid-body`));
  });
  body.on('end', () => {
    if (ended) return;
    ended = true;
    done(undefined, Buffer.concat(chunks, bytes).toString('utf8'));
  });
}
