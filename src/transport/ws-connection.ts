/**
 * The Connector machine's `connection` actor: the one place that owns exchange sockets (as
 * tardis' base feed is; docs/architecture.md#data-path). It turns the machine's SUBSCRIBE / UNSUBSCRIBE / PING into frames on a Link
 * and reports back only lifecycle facts — open, closed, acks, refusals, pongs, and a once-a-second
 * activity summary (with data frames per symbol, so the connector can tell one silent symbol from a
 * silent socket). Ticks go straight to the data path (`VenueIo.deliver`), never through events.
 *
 * Lifetime rotation, make-before-break: `rotateAfterMs` after the socket opened, a second Link is
 * opened and subscribed to every stream of the first; once it has confirmed them all, the old
 * socket is closed. Both deliver during the overlap and the pipeline's dedup keeps one copy, so no
 * trade is lost or stored twice. A replacement that fails is dropped and tried again later; the
 * old socket keeps serving meanwhile.
 */
import { fromCallback } from 'xstate';
import type { MarketRecord } from '../records.js';
import type { ConnectionCommand, ConnectionInput, ConnectionReport, SymbolActivity } from '../../machines/connector.js';
import { openFeedLink, type FeedLink } from './routed-link.js';
import type { TransportEnv } from './venue-io.js';

export type { TransportEnv, VenueIo } from './venue-io.js';

const ACTIVITY_INTERVAL_MS = 1_000;
const ROTATE_RETRY_MS = 30_000;

export function createConnectionLogic(env: TransportEnv) {
  return fromCallback<ConnectionCommand, ConnectionInput>(({ input, sendBack, receive }) => {
    const io = env.venue(input.exchange, input.market);
    const report = (event: ConnectionReport) => sendBack(event);
    let closed = false;
    let frames = 0;
    let records = 0;
    let dataFrames = 0;
    let malformed = 0;
    /** data frames per symbol since the last report, and when its last one came */
    let bySymbol = new Map<string, { frames: number; lastAt: number }>();
    let rotateTimer: NodeJS.Timeout | undefined;
    let next: { link: FeedLink; waiting: Set<string> } | undefined;

    /** the last activity tick found nothing: the next data is reported at once, not up to 1 s later */
    let idle = true;
    const flushActivity = () => {
      const now = Date.now();
      const symbols: Record<string, SymbolActivity> = {};
      for (const [s, a] of bySymbol) symbols[s] = { dataFrames: a.frames, sinceLastMs: Math.max(0, now - a.lastAt) };
      report({ type: 'FEED.ACTIVITY', frames, records, malformed, dataFrames, bySymbol: symbols });
      if (bySymbol.size > 0) bySymbol = new Map();
      frames = 0;
      records = 0;
      dataFrames = 0;
      malformed = 0;
    };
    const counting = {
      frame(n: number, bad: boolean, batch?: readonly MarketRecord[], from = 0) {
        frames++;
        records += n;
        if (n > 0) dataFrames++;
        if (bad) malformed++;
        if (batch) {
          // a frame is about one symbol on every venue we know; a run of the same symbol counts once
          let previous: string | undefined;
          for (let i = from; i < from + n; i++) {
            const r = batch[i] as MarketRecord;
            if (r.symbol === previous) continue;
            previous = r.symbol;
            // the record's receive time is the frame's: no clock read per frame
            const a = bySymbol.get(previous);
            if (a) {
              a.frames++;
              a.lastAt = r.localTimestamp;
            } else bySymbol.set(previous, { frames: 1, lastAt: r.localTimestamp });
          }
        }
        // a feed coming back from silence says so now: a watchdog deadline falling inside the
        // aggregation second must not call a resumed feed silent
        if (idle && n > 0 && !closed) {
          idle = false;
          flushActivity();
        }
      },
      /** a book frame is data of its symbol, like its trades */
      bookFrame(symbol: string, receivedAt: number) {
        dataFrames++;
        const a = bySymbol.get(symbol);
        if (a) {
          a.frames++;
          a.lastAt = receivedAt;
        } else bySymbol.set(symbol, { frames: 1, lastAt: receivedAt });
        if (idle && !closed) {
          idle = false;
          flushActivity();
        }
      },
    };

    const finish = (reason: string) => {
      if (closed) return;
      closed = true;
      report({ type: 'SOCKET.CLOSED', reason });
    };

    const scheduleRotation = (ms: number) => {
      if (input.rotateAfterMs <= 0 || closed) return;
      rotateTimer = setTimeout(startRotation, ms);
      rotateTimer.unref();
    };

    let active: FeedLink = openFeedLink(io, input.channels, input.groupIndex, {
      ...counting,
      open: () => {
        report({ type: 'SOCKET.OPEN' });
        scheduleRotation(input.rotateAfterMs);
      },
      closed: (reason) => finish(reason),
      acked: (symbols) => report({ type: 'SUBSCRIBE.ACK', symbols }),
      rejected: (symbols, reason, named) => report(rejectReport(symbols, reason, named)),
      pong: () => report({ type: 'FEED.PONG' }),
    });

    function startRotation(): void {
      if (closed || next) return;
      const streams = [...active.onSocket];
      const waiting = new Set(streams);
      const abandon = (why: string) => {
        if (!next) return;
        io.note?.('rotation abandoned', { group: input.groupIndex, why });
        next.link.close();
        next = undefined;
        scheduleRotation(ROTATE_RETRY_MS);
      };
      const complete = () => {
        if (!next || next.waiting.size > 0) return;
        const old = active;
        active = next.link;
        next = undefined;
        old.close();
        io.note?.('connection rotated', { group: input.groupIndex, streams: active.onSocket.size });
        report({ type: 'CONNECTION.ROTATED' });
        scheduleRotation(input.rotateAfterMs);
      };
      // Until the swap the replacement's events drive the rotation; after it, it is the active
      // link and its events go to the machine like any socket's.
      const link: FeedLink = openFeedLink(io, input.channels, input.groupIndex, {
        ...counting,
        open: () => {
          if (waiting.size === 0) complete();
          else link.subscribe([...waiting]);
        },
        closed: (reason) => (active === link ? finish(reason) : abandon(`replacement closed: ${reason}`)),
        acked: (symbols) => {
          if (active === link) report({ type: 'SUBSCRIBE.ACK', symbols });
          else {
            for (const s of symbols) waiting.delete(s);
            complete();
          }
        },
        // a refusal on the replacement: keep the old socket and try again later
        rejected: (symbols, reason, named) =>
          active === link ? report(rejectReport(symbols, reason, named)) : abandon(`replacement refused: ${reason}`),
        pong: () => report({ type: 'FEED.PONG' }),
      });
      next = { link, waiting };
    }

    const activity = setInterval(() => {
      if (closed) return;
      if (dataFrames === 0) idle = true;
      if (frames === 0) return;
      flushActivity();
    }, ACTIVITY_INTERVAL_MS);
    activity.unref();

    const pressure = io.pressure?.subscribe((paused) => {
      for (const l of [active, next?.link]) if (l) l.pause(paused);
      // the connector must not take the silence we cause for a stalled feed
      if (!closed) report({ type: 'FEED.PAUSED', paused });
    });

    receive((command) => {
      if (closed) return;
      if (command.type === 'PING') active.ping();
      else if (command.type === 'SUBSCRIBE') {
        active.subscribe(command.symbols);
        if (next) {
          for (const s of command.symbols) next.waiting.add(s);
          next.link.subscribe(command.symbols);
        }
      } else {
        active.unsubscribe(command.symbols);
        if (next) {
          for (const s of command.symbols) next.waiting.delete(s);
          next.link.unsubscribe(command.symbols);
        }
      }
    });

    return () => {
      closed = true;
      clearInterval(activity);
      if (rotateTimer) clearTimeout(rotateTimer);
      pressure?.unsubscribe();
      next?.link.close();
      active.close();
    };
  });
}

function rejectReport(symbols: string[], reason: string, named: string[] | undefined): ConnectionReport {
  return named && named.length > 0 ? { type: 'SUBSCRIBE.REJECT', symbols, reason, named } : { type: 'SUBSCRIBE.REJECT', symbols, reason };
}
