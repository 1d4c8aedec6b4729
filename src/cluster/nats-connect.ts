/** Connecting to NATS with one-line errors for the user's mistakes (a bad URL, nothing listening). */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { TickvisorError } from '../errors.js';

/**
 * `nats://host:port` (or `tls://`), several separated by commas; a bare `host:port` means nats://.
 * Returns the URLs as the client takes them.
 */
export function parseNatsUrls(text: string): string[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new TickvisorError('TV_ERR_NATS_URL', `no NATS URL given (expected nats://host:port)`);
  return parts.map((part) => {
    const withScheme = /^[a-z]+:\/\//i.test(part) ? part : `nats://${part}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new TickvisorError('TV_ERR_NATS_URL', `'${part}' is not a NATS URL (expected nats://host:port)`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new TickvisorError('TV_ERR_NATS_URL', `'${part}': the scheme must be nats:// or tls://, not ${url.protocol}//`);
    if (url.hostname === '') throw new TickvisorError('TV_ERR_NATS_URL', `'${part}' names no host (expected nats://host:port)`);
    if (url.pathname !== '' && url.pathname !== '/') throw new TickvisorError('TV_ERR_NATS_URL', `'${part}': a NATS URL has no path (${url.pathname})`);
    return withScheme;
  });
}

export interface NatsConnectOptions {
  /** a name the server's monitoring shows for this connection */
  name?: string;
  /** how long the first connection may take before the URLs are declared unreachable */
  timeoutMs?: number;
}

/**
 * Connects to the first server that answers; once connected, the client reconnects by itself
 * for ever (a NATS server restarting or a cluster member dying is a pause, not an end).
 */
export async function connectNats(urls: string, options: NatsConnectOptions = {}): Promise<NatsConnection> {
  const servers = parseNatsUrls(urls);
  try {
    return await connect({
      servers,
      name: options.name,
      timeout: options.timeoutMs ?? 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // the first connect already tried every URL: without this it would retry them silently for ever
      waitOnFirstConnect: false,
      // without it the client builds an Error per request (every stream publish) up front for its
      // stack trace: ~5% of the publishing process's CPU in the bench; our errors are one line anyway
      noAsyncTraces: true,
    });
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new TickvisorError('TV_ERR_NATS_UNREACHABLE', `no NATS server answered at ${servers.join(', ')} (${why})`, { cause: error });
  }
}
